import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ConfigurationError } from '../../config/configuration-error.js';
import type { RedisSettings, RedisTopology } from '../../config/redis-settings.js';

/** What every consumer talks to: one server or a Sentinel-managed master (`Redis`), or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** How a consumer wants its connection to behave; where it connects is the deployment's business. */
export type ClientBehaviour = Pick<
  RedisOptions,
  | 'enableOfflineQueue'
  | 'enableReadyCheck'
  | 'enableAutoPipelining'
  | 'maxRetriesPerRequest'
  | 'connectTimeout'
  | 'commandTimeout'
  | 'retryStrategy'
>;

/** A master demoted by a failover answers writes with READONLY: reconnect, and Sentinel names the new one. */
const reconnectWhenDemoted = (error: Error) => error.message.startsWith('READONLY');

/**
 * Builds every Redis client of the process (the app's connection, Bull's three per queue) from the
 * one validated topology, so each consumer works the same on a server, Sentinel or a Cluster, and
 * TLS and credentials are set in one place.
 */
export class RedisClients {
  private readonly tls?: ConnectionOptions;

  constructor(readonly settings: RedisSettings | undefined) {
    if (settings?.tls) this.tls = settings.tls.caFile ? { ca: readCa(settings.tls.caFile) } : {};
  }

  get enabled(): boolean {
    return this.settings !== undefined;
  }

  get topology(): RedisTopology['kind'] | undefined {
    return this.settings?.topology.kind;
  }

  /** `name` shows in CLIENT LIST, so an operator can tell the app's connections apart. */
  create(name: string, behaviour: ClientBehaviour): RedisClient {
    if (!this.settings) throw new Error('Redis is not configured');
    const { topology, username, password } = this.settings;
    const common: RedisOptions = { username, password, connectionName: `compliance-kit:${name}` };
    switch (topology.kind) {
      case 'standalone':
        // ioredis reads host, port, db, credentials and rediss:// from the URL; a CA, if any, joins its TLS.
        return new Redis(topology.url, { ...common, ...behaviour, ...(this.tls ? { tls: this.tls } : {}) });
      case 'sentinel':
        return new Redis({
          ...common,
          ...behaviour,
          sentinels: topology.sentinels,
          name: topology.masterName,
          sentinelUsername: topology.sentinelUsername,
          sentinelPassword: topology.sentinelPassword,
          tls: this.tls,
          sentinelTLS: this.tls,
          enableTLSForSentinelMode: this.tls !== undefined,
          reconnectOnError: reconnectWhenDemoted,
        });
      case 'cluster': {
        const { enableOfflineQueue, enableReadyCheck, enableAutoPipelining, retryStrategy, ...perNode } = behaviour;
        return new Cluster(topology.nodes, {
          redisOptions: { ...common, ...perNode, enableReadyCheck, tls: this.tls },
          enableOfflineQueue,
          enableReadyCheck,
          enableAutoPipelining,
          clusterRetryStrategy: retryStrategy,
          // Every command here writes or must read its own writes: masters only.
          scaleReads: 'master',
        });
      }
    }
  }
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new ConfigurationError('Invalid configuration: REDIS_TLS_CA_FILE cannot be read');
  }
}
