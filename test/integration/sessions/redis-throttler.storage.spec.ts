import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisThrottlerStorage, THROTTLE_SYNC_EVERY_MS } from '../../../src/modules/sessions/redis-throttler.storage';
import { TEST_REDIS_URL } from '../../support/database';
import { redisClientsFor, SpareRedisCluster } from '../../support/redis-topologies';

/** After its first call Redis knows the script: later calls are one EVALSHA each, never EVALSHA then EVAL. */
async function scriptLoaded(storage: RedisThrottlerStorage): Promise<RedisThrottlerStorage> {
  await storage.increment(randomBytes(8).toString('hex'), 60_000, 20, 60_000, 'login');
  return storage;
}

describe('RedisThrottlerStorage', () => {
  const redis = new Redis(TEST_REDIS_URL);
  afterAll(() => redis.disconnect());

  /** Waits (up to 5 s: a loaded machine delays timers) until `key` holds `value`. */
  async function redisShows(key: string, value: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while ((await redis.get(key)) !== value && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, THROTTLE_SYNC_EVERY_MS / 4));
    }
    expect(await redis.get(key)).toBe(value);
  }

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

  it('counts a busy window in this process and adds its hits to Redis in the background', async () => {
    const key = randomBytes(8).toString('hex');
    const storage = await scriptLoaded(new RedisThrottlerStorage(redis, 'ck'));
    const sent = jest.spyOn(redis, 'sendCommand');
    try {
      for (let hit = 1; hit <= 10; hit++) {
        expect(await storage.increment(key, 60_000, 1_000, 60_000, 'api')).toMatchObject({
          totalHits: hit,
          isBlocked: false,
        });
      }
      // The first hit asked Redis; the other nine were counted here.
      expect(sent.mock.calls).toHaveLength(1);
    } finally {
      sent.mockRestore();
    }
    await redisShows(`ck:throttle:{api:${key}}`, '10');
  });

  it('decides every hit of one instance as Redis would, blocking at the first hit over the limit', async () => {
    const key = randomBytes(8).toString('hex');
    const storage = new RedisThrottlerStorage(redis, 'ck');
    const answers = [];
    for (let hit = 0; hit < 101; hit++) answers.push(await storage.increment(key, 60_000, 100, 30_000, 'api'));
    expect(answers.map((answer) => answer.totalHits)).toEqual(answers.map((_, i) => i + 1));
    expect(answers.findIndex((answer) => answer.isBlocked)).toBe(100);
    expect(answers[100]).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    expect(await redis.get(`ck:throttle:{api:${key}}`)).toBe('101');
  });

  it('sees the hits other instances counted once they are synced', async () => {
    const key = randomBytes(8).toString('hex');
    const first = new RedisThrottlerStorage(redis, 'ck');
    const second = new RedisThrottlerStorage(redis, 'ck');
    for (let hit = 0; hit < 20; hit++) {
      await first.increment(key, 60_000, 1_000, 60_000, 'api');
      await second.increment(key, 60_000, 1_000, 60_000, 'api');
    }
    // Both synced, then long enough for what each was told then to be stale.
    await redisShows(`ck:throttle:{api:${key}}`, '40');
    await new Promise((resolve) => setTimeout(resolve, THROTTLE_SYNC_EVERY_MS * 3));
    // So this hit asks Redis, and counts the other instance's twenty.
    expect(await first.increment(key, 60_000, 1_000, 60_000, 'api')).toMatchObject({ totalHits: 41 });
  });

  it('sends every hit of a low limit (login) to Redis', async () => {
    const key = randomBytes(8).toString('hex');
    const storage = await scriptLoaded(new RedisThrottlerStorage(redis, 'ck'));
    const sent = jest.spyOn(redis, 'sendCommand');
    try {
      for (let hit = 0; hit < 5; hit++) await storage.increment(key, 60_000, 20, 60_000, 'login');
      expect(sent.mock.calls).toHaveLength(5);
    } finally {
      sent.mockRestore();
    }
    expect(await redis.get(`ck:throttle:{login:${key}}`)).toBe('5');
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
