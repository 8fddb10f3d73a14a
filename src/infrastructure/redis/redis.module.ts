import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Tracing } from '../tracing/tracing.js';
import { RedisConnection } from './redis.connection.js';

@Global()
@Module({
  providers: [
    {
      provide: RedisConnection,
      inject: [AppConfig, Tracing],
      useFactory: (config: AppConfig, tracing: Tracing) =>
        new RedisConnection(config.redisUrl, config.healthCheckTimeoutMs, tracing),
    },
  ],
  exports: [RedisConnection],
})
export class RedisModule {}
