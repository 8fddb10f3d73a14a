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
        // The connect timeout, and then some: a server that does not answer in it is down, not refusing.
        await connection.refuseUntrustedServer(Math.max(config.healthCheckTimeoutMs, 500) + 500);
        return connection;
      },
    },
  ],
  exports: [RedisClients, RedisConnection],
})
export class RedisModule {}
