import type { ElasticsearchService } from '@nestjs/elasticsearch';
import { OnApplicationShutdown } from '@nestjs/common';

/** The Elasticsearch client, or none when no node is configured (Postgres full text serves search). */
export class ElasticsearchConnection implements OnApplicationShutdown {
  constructor(readonly client?: ElasticsearchService) {}

  get enabled(): boolean {
    return this.client !== undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.close();
  }
}
