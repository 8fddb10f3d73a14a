import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisThrottlerStorage } from '../../../src/modules/sessions/redis-throttler.storage';
import { TEST_REDIS_URL } from '../../support/database';
import { redisClientsFor, SpareRedisCluster } from '../../support/redis-topologies';

describe('RedisThrottlerStorage', () => {
  const redis = new Redis(TEST_REDIS_URL);
  afterAll(() => redis.disconnect());

  it('counts hits in one window shared by every instance and blocks once over the limit', async () => {
    const key = randomBytes(8).toString('hex');
    const first = new RedisThrottlerStorage(redis, 'ck');
    const second = new RedisThrottlerStorage(redis, 'ck');
    await first.increment(key, 60_000, 2, 30_000, 'api');
    const atLimit = await second.increment(key, 60_000, 2, 30_000, 'api');
    expect(atLimit).toMatchObject({ totalHits: 2, isBlocked: false, timeToExpire: 60 });
    const over = await first.increment(key, 60_000, 2, 30_000, 'api');
    expect(over).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 30 });
  });

  it('keeps counting in memory when Redis is unreachable', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    const storage = new RedisThrottlerStorage(dead, 'ck');
    const sent = jest.spyOn(dead, 'sendCommand');
    expect(await storage.increment('k', 60_000, 5, 60_000, 'api')).toMatchObject({ totalHits: 1, isBlocked: false });
    const triedRedis = sent.mock.calls.length;
    expect(triedRedis).toBeGreaterThan(0);
    expect(await storage.increment('k', 60_000, 5, 60_000, 'api')).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(sent.mock.calls).toHaveLength(triedRedis);
    dead.disconnect();
  });
});

describe('RedisThrottlerStorage on a Redis Cluster', () => {
  let cluster: SpareRedisCluster;
  beforeAll(async () => (cluster = await SpareRedisCluster.start()), 30_000);
  afterAll(() => cluster?.stop());

  it('keeps a counter and its block key in one slot, so the script runs there and blocks over the limit', async () => {
    const client = redisClientsFor(cluster.environment as Record<string, string>).create('test', {});
    try {
      const storage = new RedisThrottlerStorage(client, 'ck');
      const key = randomBytes(8).toString('hex');
      for (let hit = 0; hit < 2; hit++) await storage.increment(key, 60_000, 2, 30_000, 'login');
      const over = await storage.increment(key, 60_000, 2, 30_000, 'login');
      expect(over).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 30 });
      // Counted in the cluster, not in the in-memory fallback.
      expect(await client.get(`ck:throttle:{login:${key}}`)).toBe('3');
      expect(await client.exists(`ck:throttle:{login:${key}}:blocked`)).toBe(1);
    } finally {
      client.disconnect();
    }
  });
});
