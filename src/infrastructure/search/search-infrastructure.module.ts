import { ElasticsearchService } from '@nestjs/elasticsearch';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ElasticsearchConnection } from './elasticsearch.connection.js';

@Global()
@Module({
  providers: [
    {
      provide: ElasticsearchConnection,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new ElasticsearchConnection(
          config.elasticsearchNode
            ? // No client-side retries: the transport waits 1-2 s before each one, while a failed search
              // is better answered from Postgres at once and a failed sync batch is retried by its job.
              new ElasticsearchService({ node: config.elasticsearchNode, requestTimeout: 5_000, maxRetries: 0 })
            : undefined,
        ),
    },
  ],
  exports: [ElasticsearchConnection],
})
export class SearchInfrastructureModule {}
