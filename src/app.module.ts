import { DynamicModule, Module } from '@nestjs/common';
import { LoggingModule } from './common/logging.module.js';
import { SecurityEventsModule } from './common/security-events.js';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './infrastructure/database/database.module.js';
import { QueueModule } from './infrastructure/queue/queue.module.js';
import { RedisModule } from './infrastructure/redis/redis.module.js';
import { SearchInfrastructureModule } from './infrastructure/search/search-infrastructure.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { SearchModule } from './modules/search/search.module.js';

@Module({})
export class AppModule {
  /** `environment` defaults to process.env; tests pass their own. */
  static forRoot(environment?: Record<string, unknown>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(environment),
        LoggingModule,
        SecurityEventsModule,
        MetricsModule,
        DatabaseModule,
        RedisModule,
        QueueModule,
        SearchInfrastructureModule,
        HealthModule,
        SearchModule,
      ],
    };
  }
}
