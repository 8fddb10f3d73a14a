import type { RedisClient } from '../../../infrastructure/redis/redis-clients.js';
import type { CacheLookup, ControlGraphCache } from './control-graph-cache.js';

/** Bump when the cached shape changes, so a deploy never reads answers of the old shape. */
const SCHEMA = 'v1';

const GET_IN_GENERATION = `
local generation = redis.call('GET', KEYS[1]) or '0'
return { generation, redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2]) }`;

/**
 * Shared by every replica of one database: an invalidation delivered to one of them holds for all.
 * Keys start with the deployment's Redis namespace (QUEUE_PREFIX) and carry the database's
 * identity, so deployments (or test databases) sharing a Redis never read each other's graphs, even
 * two deployments restored from one backup; one hash tag keeps a database's keys in one Redis
 * Cluster slot, so one script reads the generation and the entry.
 */
export class RedisControlGraphCache implements ControlGraphCache {
  readonly kind = 'redis' as const;
  private readonly generationKey: string;
  private readonly entryPrefix: string;

  constructor(
    private readonly client: RedisClient,
    private readonly ttlSeconds: number,
    keys: { namespace: string; database: string },
  ) {
    const tagged = `${keys.namespace}:{control-graph:${keys.database}}`;
    this.generationKey = `${tagged}:generation`;
    this.entryPrefix = `${tagged}:${SCHEMA}:`;
  }

  async get(key: string): Promise<CacheLookup> {
    const [generation, raw] = (await this.client.eval(
      GET_IN_GENERATION,
      1,
      this.generationKey,
      this.entryPrefix,
      key,
    )) as [string, string | null];
    return { generation, value: raw ? (JSON.parse(raw) as unknown) : undefined };
  }

  async put(generation: string, key: string, value: unknown): Promise<void> {
    await this.client.set(`${this.entryPrefix}${generation}:${key}`, JSON.stringify(value), 'EX', this.ttlSeconds);
  }

  async generation(): Promise<string> {
    return (await this.client.get(this.generationKey)) ?? '0';
  }

  async invalidate(): Promise<void> {
    await this.client.incr(this.generationKey);
  }
}
