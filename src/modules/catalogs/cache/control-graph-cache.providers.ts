import type { Provider } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config.js';
import { RedisConnection } from '../../../infrastructure/redis/redis.connection.js';
import { CONTROL_GRAPH_CACHE, CONTROL_GRAPH_CACHE_METRIC, type ControlGraphCache } from './control-graph-cache.js';
import { ControlGraphCacheInvalidator } from './control-graph-cache.consumer.js';
import { LruControlGraphCache } from './lru-control-graph-cache.js';
import { RedisControlGraphCache } from './redis-control-graph-cache.js';
import { TraversalCache } from './traversal-cache.js';

/** Names this database wherever it is reached from: cluster identity (shared by its physical replicas) and database oid. */
async function databaseNamespace(dataSource: DataSource): Promise<string> {
  const [row] = (await dataSource.query(
    `SELECT (SELECT system_identifier FROM pg_control_system()) || '-' || oid AS namespace
       FROM pg_database WHERE datname = current_database()`,
  )) as { namespace: string }[];
  return row.namespace;
}

/** Redis when configured (shared by replicas), the in-process LRU otherwise; chosen once, at boot. */
async function controlGraphCacheFor(
  config: AppConfig,
  redis: RedisConnection,
  dataSource: DataSource,
): Promise<ControlGraphCache> {
  const { cacheTtlSeconds, cacheLruMaxEntries } = config.controlGraph;
  return redis.client
    ? new RedisControlGraphCache(redis.client, cacheTtlSeconds, {
        namespace: config.queuePrefix,
        database: await databaseNamespace(dataSource),
      })
    : new LruControlGraphCache(cacheLruMaxEntries, cacheTtlSeconds);
}

export const CONTROL_GRAPH_CACHE_PROVIDERS: Provider[] = [
  { provide: CONTROL_GRAPH_CACHE, inject: [AppConfig, RedisConnection, DataSource], useFactory: controlGraphCacheFor },
  makeCounterProvider({
    name: CONTROL_GRAPH_CACHE_METRIC,
    help: 'Control graph traversal cache lookups by result (hit, miss, error)',
    labelNames: ['result'],
  }),
  TraversalCache,
  ControlGraphCacheInvalidator,
];
