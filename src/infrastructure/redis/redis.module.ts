import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Tracing } from '../tracing/tracing.js';
import { RedisClients } from './redis-clients.js';
import { RedisConnection } from './redis.connection.js';

@Global()
@Module({
  providers: [
    { provide: RedisClients, inject: [AppConfig], useFactory: (config: AppConfig) => new RedisClients(config.redis) },
    {
      provide: RedisConnection,
      inject: [RedisClients, AppConfig, Tracing],
      useFactory: (clients: RedisClients, config: AppConfig, tracing: Tracing) =>
        new RedisConnection(clients, config.healthCheckTimeoutMs, tracing),
    },
  ],
  exports: [RedisClients, RedisConnection],
})
export class RedisModule {}
