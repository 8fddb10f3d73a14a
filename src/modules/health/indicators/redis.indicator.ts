import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../../../config/app-config.js';
import { RedisConnection } from '../../../infrastructure/redis/redis.connection.js';
import { disabledDependency, probeDependency } from '../../../common/dependency-state.js';

/** Redis accelerates sessions, cache and queues; when it is down the app degrades to Postgres. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisConnection,
    private readonly config: AppConfig,
  ) {}

  async check(key = 'redis') {
    if (!this.redis.enabled) return disabledDependency(this.indicators, key);
    return probeDependency(
      this.indicators,
      key,
      { required: false, timeoutMs: this.config.healthCheckTimeoutMs },
      async () => {
        await this.redis.probe();
        return {};
      },
    );
  }
}
