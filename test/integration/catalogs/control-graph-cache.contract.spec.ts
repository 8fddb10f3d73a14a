import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ControlGraphCache } from '../../../src/modules/catalogs/cache/control-graph-cache';
import { LruControlGraphCache } from '../../../src/modules/catalogs/cache/lru-control-graph-cache';
import { RedisControlGraphCache } from '../../../src/modules/catalogs/cache/redis-control-graph-cache';
import { TEST_REDIS_URL } from '../../support/database';
import { redisClientsFor, SpareRedisCluster } from '../../support/redis-topologies';

const anAnswer = (n: number) => ({ control: { framework: 'GDPR', control: 'art-32' }, total: n, related: [] });

let cluster: SpareRedisCluster;
beforeAll(async () => (cluster = await SpareRedisCluster.start()), 30_000);
afterAll(() => cluster?.stop());

describe.each([
  [
    'in-process LRU',
    async () => ({ cache: new LruControlGraphCache(100, 60) as ControlGraphCache, close: async () => undefined }),
  ],
  [
    'Redis',
    async () => {
      const client = new Redis(TEST_REDIS_URL);
      const cache = new RedisControlGraphCache(client, 60, {
        namespace: 'ck',
        database: randomUUID(),
      }) as ControlGraphCache;
      return { cache, close: async () => void (await client.quit()) };
    },
  ],
  [
    // The script reads an entry it names from ARGV: allowed only because it shares KEYS[1]'s hash tag.
    'Redis Cluster (3 masters)',
    async () => {
      const client = redisClientsFor(cluster.environment as Record<string, string>).create('test', {});
      const cache = new RedisControlGraphCache(client, 60, {
        namespace: 'ck',
        database: randomUUID(),
      }) as ControlGraphCache;
      return { cache, close: async () => void (await client.quit()) };
    },
  ],
])('ControlGraphCache contract: %s', (_kind, create) => {
  let cache: ControlGraphCache;
  let close: () => Promise<void>;
  beforeEach(async () => ({ cache, close } = await create()));
  afterEach(() => close());

  it('returns what was put in the generation it read', async () => {
    const key = `related:${randomUUID()}`;
    const miss = await cache.get(key);
    expect(miss.value).toBeUndefined();
    await cache.put(miss.generation, key, anAnswer(3));
    expect(await cache.get(key)).toEqual({ generation: miss.generation, value: anAnswer(3) });
  });

  it('drops every answer on invalidate', async () => {
    const keys = [`related:${randomUUID()}`, `related:${randomUUID()}`];
    for (const key of keys) await cache.put((await cache.get(key)).generation, key, anAnswer(1));
    await cache.invalidate();
    for (const key of keys) expect((await cache.get(key)).value).toBeUndefined();
  });

  it('never serves an answer computed before an invalidation and stored after it', async () => {
    const key = `related:${randomUUID()}`;
    const before = await cache.get(key);
    await cache.invalidate();
    await cache.put(before.generation, key, anAnswer(7));
    const after = await cache.get(key);
    expect(after.generation).not.toBe(before.generation);
    expect(after.value).toBeUndefined();
  });

  it('tells its current generation alone, the one lookups report, and a new one after invalidate', async () => {
    const generation = await cache.generation();
    expect((await cache.get(`related:${randomUUID()}`)).generation).toBe(generation);
    await cache.invalidate();
    expect(await cache.generation()).not.toBe(generation);
  });
});

describe('LruControlGraphCache bounds', () => {
  it('evicts the least recently used answer beyond its size and expires answers after the TTL', async () => {
    let now = 0;
    const cache = new LruControlGraphCache(2, 10, () => now);
    const { generation } = await cache.get('a');
    await cache.put(generation, 'a', 1);
    await cache.put(generation, 'b', 2);
    await cache.get('a');
    await cache.put(generation, 'c', 3);
    expect([(await cache.get('a')).value, (await cache.get('b')).value, (await cache.get('c')).value]).toEqual([
      1,
      undefined,
      3,
    ]);
    now = 10_001;
    expect((await cache.get('a')).value).toBeUndefined();
  });
});
