import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { cachedView } from '../../../src/modules/compliance/records/cache/cached-view';
import { LruRecordCache } from '../../../src/modules/compliance/records/cache/lru-record-cache';
import { CachedView, RecordCache } from '../../../src/modules/compliance/records/cache/record-cache';
import { RedisRecordCache } from '../../../src/modules/compliance/records/cache/redis-record-cache';
import { TEST_REDIS_URL } from '../../support/database';
import { redisClientsFor, SpareRedisCluster } from '../../support/redis-topologies';

const aView = (id: string, version: number): CachedView =>
  cachedView(
    {
      id,
      entityId: 'org-1',
      framework: 'GDPR',
      controlId: 'Art.32',
      status: 'passed',
      score: 90,
      details: {},
      evidenceNotes: null,
      assessedAt: '2026-11-20T10:00:00.000Z',
      createdAt: '2026-11-20T10:00:00.000Z',
      updatedAt: '2026-11-20T10:00:00.000Z',
      version,
    },
    '0',
  );

let cluster: SpareRedisCluster;
beforeAll(async () => (cluster = await SpareRedisCluster.start()), 30_000);
afterAll(() => cluster?.stop());

describe.each([
  ['in-process LRU', async () => ({ cache: new LruRecordCache(100, 60) as RecordCache, close: async () => undefined })],
  [
    'Redis',
    async () => {
      const client = new Redis(TEST_REDIS_URL);
      return {
        cache: new RedisRecordCache(client, 60, 'ck') as RecordCache,
        close: async () => void (await client.quit()),
      };
    },
  ],
  [
    'Redis Cluster (3 masters)',
    async () => {
      const client = redisClientsFor(cluster.environment as Record<string, string>).create('test', {});
      return {
        cache: new RedisRecordCache(client, 60, 'ck') as RecordCache,
        close: async () => void (await client.quit()),
      };
    },
  ],
])('RecordCache contract: %s', (_kind, create) => {
  let cache: RecordCache;
  let close: () => Promise<void>;
  beforeEach(async () => ({ cache, close } = await create()));
  afterEach(() => close());

  it('returns what was put', async () => {
    const id = randomUUID();
    await cache.put(aView(id, 1));
    expect(await cache.get(id)).toEqual({ version: 1, view: aView(id, 1) });
  });

  it('misses an id it never saw', async () => {
    expect(await cache.get(randomUUID())).toBeUndefined();
  });

  it('leaves a tombstone on invalidate that a slow reader holding the old version cannot overwrite', async () => {
    const id = randomUUID();
    await cache.put(aView(id, 1));
    await cache.invalidate(id, 2);
    await cache.put(aView(id, 1));
    expect(await cache.get(id)).toEqual({ version: 2, view: null });
    await cache.put(aView(id, 2));
    expect((await cache.get(id))?.view?.version).toBe(2);
  });

  it('never replaces a newer entry with an older one', async () => {
    const id = randomUUID();
    await cache.put(aView(id, 3));
    await cache.put(aView(id, 2));
    expect((await cache.get(id))?.version).toBe(3);
  });
});

describe('LruRecordCache bounds', () => {
  it('evicts the least recently used entry beyond its size', async () => {
    const cache = new LruRecordCache(2, 60);
    await cache.put(aView('a', 1));
    await cache.put(aView('b', 1));
    await cache.get('a');
    await cache.put(aView('c', 1));
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it('expires entries after their TTL', async () => {
    let now = 0;
    const cache = new LruRecordCache(10, 60, () => now);
    await cache.put(aView('a', 1));
    now = 59_999;
    expect(await cache.get('a')).toBeDefined();
    now = 60_000;
    expect(await cache.get('a')).toBeUndefined();
  });
});
