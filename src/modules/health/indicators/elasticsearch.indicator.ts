import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../../../config/app-config.js';
import { ElasticsearchConnection } from '../../../infrastructure/search/elasticsearch.connection.js';
import { disabledDependency, probeDependency } from '../../../common/dependency-state.js';

/** Elasticsearch serves search when configured; a red cluster counts as down, yellow as up. */
@Injectable()
export class ElasticsearchHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly elasticsearch: ElasticsearchConnection,
    private readonly config: AppConfig,
  ) {}

  async check(key = 'elasticsearch') {
    const client = this.elasticsearch.client;
    if (!client) return disabledDependency(this.indicators, key);
    const timeoutMs = this.config.healthCheckTimeoutMs;
    return probeDependency(this.indicators, key, { required: false, timeoutMs }, async () => {
      const health = await client.cluster.health({ timeout: `${timeoutMs}ms` }, { requestTimeout: timeoutMs });
      if (health.status === 'red') throw new Error('cluster status is red');
      return { cluster: health.status };
    });
  }
}
