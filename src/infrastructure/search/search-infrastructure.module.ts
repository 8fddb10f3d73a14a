import { ElasticsearchService } from '@nestjs/elasticsearch';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { elasticsearchClientOptions } from './elasticsearch-client-options.js';
import { ElasticsearchConnection } from './elasticsearch.connection.js';

@Global()
@Module({
  providers: [
    {
      provide: ElasticsearchConnection,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const settings = config.elasticsearch;
        return new ElasticsearchConnection(
          settings ? new ElasticsearchService(elasticsearchClientOptions(settings)) : undefined,
        );
      },
    },
  ],
  exports: [ElasticsearchConnection],
})
export class SearchInfrastructureModule {}
