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
            ? new ElasticsearchService({ node: config.elasticsearchNode, requestTimeout: 5_000, maxRetries: 1 })
            : undefined,
        ),
    },
  ],
  exports: [ElasticsearchConnection],
})
export class SearchInfrastructureModule {}
