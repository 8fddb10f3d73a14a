import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { RedisConnection } from './redis.connection.js';

@Global()
@Module({
  providers: [
    {
      provide: RedisConnection,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new RedisConnection(config.redisUrl, config.healthCheckTimeoutMs),
    },
  ],
  exports: [RedisConnection],
})
export class RedisModule {}
