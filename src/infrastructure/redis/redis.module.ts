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
      useFactory: async (clients: RedisClients, config: AppConfig, tracing: Tracing) => {
        const connection = new RedisConnection(clients, config.healthCheckTimeoutMs, tracing);
        await connection.refuseUntrustedServer();
        return connection;
      },
    },
  ],
  exports: [RedisClients, RedisConnection],
})
export class RedisModule {}
