import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { Tracing } from '../tracing/tracing.js';
import type { RedisClient, RedisClients } from './redis-clients.js';
import { firstCertificateRefusal } from './redis-trust.js';
import { traceRedis } from './traced-redis.js';

/**
 * The one Redis client of the process, or none when no Redis topology is configured.
 * Commands fail fast while disconnected (no offline queue) so callers can fall back to Postgres
 * instead of waiting; the client keeps reconnecting in the background (under Sentinel, to whichever
 * master the sentinels name). Commands issued in the same tick by concurrent requests share one
 * socket write per node (auto-pipelining).
 */
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private lastErrorLogAt = 0;
  /** Why the client is not connected, for readiness: PING alone would only say the stream is not writeable. */
  private lastError?: Error;
  readonly client?: RedisClient;
  private readonly connectTimeoutMs: number;

  constructor(
    private readonly clients: RedisClients,
    commandTimeoutMs: number,
    tracing: Tracing = Tracing.off,
  ) {
    this.connectTimeoutMs = Math.max(commandTimeoutMs, 500);
    if (!clients.enabled) return;
    this.client = clients.create('app', {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      connectTimeout: this.connectTimeoutMs,
      commandTimeout: commandTimeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    });
    traceRedis(this.client, tracing);
    this.client.on('error', (error: Error) => {
      this.lastError = error;
      this.logThrottled(error);
    });
    this.client.on('ready', () => {
      this.lastError = undefined;
      this.logger.log(`connected (${clients.topology})`);
    });
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  /**
   * Over rediss:// a certificate refused on the first connect stops the boot in one line; a server
   * that does not answer within the connect timeout (and then some) is down, not refusing. Sentinel
   * and Cluster clients only report every node unreachable, so there the app boots degraded.
   */
  async refuseUntrustedServer(): Promise<void> {
    if (!this.client || this.clients.topology !== 'standalone' || !this.clients.settings?.tls) return;
    const refusal = await firstCertificateRefusal(this.client, this.connectTimeoutMs + 500);
    if (!refusal) return;
    this.client.disconnect();
    throw refusal;
  }

  /** Throws unless Redis serves: PING, or on a Cluster every slot covered (`cluster_state:ok`). */
  async probe(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('Redis is not configured');
    if (client.status !== 'ready' && this.lastError) throw new Error(`not connected: ${this.lastError.message}`);
    if (client instanceof Cluster) {
      const info = await client.cluster('INFO');
      if (!/^cluster_state:ok/m.test(info)) throw new Error('cluster state is not ok');
      return;
    }
    if ((await client.ping()) !== 'PONG') throw new Error('unexpected PING reply');
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
