import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Tracing } from '../tracing/tracing.js';
import { traceRedis } from './traced-redis.js';

/**
 * The one Redis client of the process, or none when REDIS_URL is unset.
 * Commands fail fast while disconnected (no offline queue) so callers can fall back to Postgres
 * instead of waiting; the client keeps reconnecting in the background. Commands issued in the same
 * tick by concurrent requests share one socket write (auto-pipelining).
 */
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private lastErrorLogAt = 0;
  readonly client?: Redis;

  constructor(url: string | undefined, commandTimeoutMs: number, tracing: Tracing = Tracing.off) {
    if (!url) return;
    this.client = new Redis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      connectTimeout: Math.max(commandTimeoutMs, 500),
      commandTimeout: commandTimeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    });
    traceRedis(this.client, tracing);
    this.client.on('error', (error: Error) => this.logThrottled(error));
    this.client.on('ready', () => this.logger.log('connected'));
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    await this.client.quit().catch(() => this.client?.disconnect());
  }

  private logThrottled(error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLogAt < 10_000) return;
    this.lastErrorLogAt = now;
    this.logger.warn(`unavailable: ${error.message}`);
  }
}
