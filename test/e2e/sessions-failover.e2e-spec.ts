import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { aUser } from '../support/builders/user.builder';
import { networkLink, NetworkLink } from '../support/network-link';
import { spareRedis, SpareRedis } from '../support/redis-server';
import { waitFor } from '../support/wait-for';
import { samplesOf, totalOf } from '../support/metric-samples';

async function logInNewUser(t: TestApp): Promise<string> {
  const input = aUser();
  await t.app.get(UsersService).create(input);
  const res = await t.http().post('/auth/login').send({ email: input.email, password: input.password }).expect(200);
  return res.body.token as string;
}

const sessionOf = (t: TestApp, token: string) => t.http().get('/auth/session').set('Authorization', `Bearer ${token}`);

const isCachedIn = async (probe: Redis, t: TestApp, token: string) =>
  (await probe.exists(`${t.db.name}:session:${createHash('sha256').update(token).digest('hex')}`)) === 1;

describe('sessions when Redis dies and comes back', () => {
  let redisServer: SpareRedis;
  let t: TestApp;
  let probe: Redis;

  beforeAll(async () => {
    redisServer = await spareRedis();
    await redisServer.start();
    t = await startTestApp({
      REDIS_URL: redisServer.url,
      SESSION_REDIS_TIMEOUT_MS: '100',
      SESSION_CIRCUIT_COOLDOWN_MS: '1000',
    });
    probe = new Redis(redisServer.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    probe.disconnect();
    await t.close();
    await redisServer.kill();
  });

  const newToken = () => logInNewUser(t);
  const session = (token: string) => sessionOf(t, token);
  const cachedInRedis = (token: string) => isCachedIn(probe, t, token);
  const sessionsHealth = async () => (await t.http().get('/health')).body.details?.sessions ?? {};
  const metric = async (name: string) => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    return text.split('\n').filter((line) => line.startsWith(name));
  };

  it('keeps validating from Postgres, keeps revoked sessions revoked, and returns to Redis once it is back', async () => {
    const kept = await newToken();
    const revoked = await newToken();
    await session(kept).expect(200);
    await probe.connect();
    expect(await cachedInRedis(kept)).toBe(true);
    probe.disconnect();

    await redisServer.kill();
    await session(kept).expect(200);
    await session(kept).expect(200);
    expect(await sessionsHealth()).toMatchObject({ status: 'degraded', mode: 'postgres-fallback' });
    expect(await metric('session_store_degraded')).toContain('session_store_degraded 1');
    expect(totalOf((await t.http().get('/metrics').expect(200)).text, 'session_store_fallbacks_total')).toBeGreaterThan(
      0,
    );
    await t.http().post('/auth/logout').set('Authorization', `Bearer ${revoked}`).expect(204);
    await session(revoked).expect(401);
    const during = await newToken();
    await session(during).expect(200);

    await redisServer.start();
    const deadline = Date.now() + 20_000;
    while ((await sessionsHealth()).mode !== 'redis') {
      if (Date.now() > deadline) throw new Error('never went back to Redis');
      await session(kept).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await session(kept).expect(200);
    await session(during).expect(200);
    await session(revoked).expect(401);
    probe = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    expect(await cachedInRedis(kept)).toBe(true);
    expect(await cachedInRedis(revoked)).toBe(false);
    expect(await metric('session_store_degraded')).toContain('session_store_degraded 0');
  });
});

describe('sessions when the link to a Redis that keeps its data is slow or partitioned', () => {
  let redisServer: SpareRedis;
  let link: NetworkLink;
  let t: TestApp;
  let probe: Redis;

  beforeAll(async () => {
    redisServer = await spareRedis();
    await redisServer.start();
    link = await networkLink(redisServer.port);
    t = await startTestApp({
      REDIS_URL: `redis://127.0.0.1:${link.port}`,
      SESSION_REDIS_TIMEOUT_MS: '100',
      SESSION_CIRCUIT_COOLDOWN_MS: '1000',
      SESSION_REVOCATION_SYNC_MS: '200',
      HEALTH_CHECK_TIMEOUT_MS: '2000',
    });
    probe = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    probe.disconnect();
    link.delay(0);
    link.heal();
    await t.close();
    await link.close();
    await redisServer.kill();
  });

  const newToken = () => logInNewUser(t);
  const session = (token: string) => sessionOf(t, token);
  const cachedInRedis = (token: string) => isCachedIn(probe, t, token);
  const health = async () => (await t.http().get('/health')).body.details;
  const findFallbacks = async () => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    return samplesOf(text, 'session_store_fallbacks_total').find((s) => s.labels === 'operation="find"')?.value ?? 0;
  };

  it('answers from Postgres while Redis is slower than the session timeout, then goes back to Redis', async () => {
    const token = await newToken();
    await session(token).expect(200);
    const fallbacksBefore = await findFallbacks();

    link.delay(400);
    await session(token).expect(200);
    // Reads of a known session come from memory: the revocation sync's PING notices the slow link.
    await waitFor(async () => (await health()).sessions.mode === 'postgres-fallback', 5_000);
    await session(token).expect(200);
    const slow = await health();
    expect(slow.sessions).toMatchObject({ status: 'degraded', mode: 'postgres-fallback' });
    expect(slow.redis.state).toBe('up');
    expect(await findFallbacks()).toBeGreaterThan(fallbacksBefore);

    link.delay(0);
    await waitFor(async () => (await health()).sessions.mode === 'redis');
    await session(token).expect(200);
  });

  it('after a partition, purges what was revoked meanwhile before Redis answers again', async () => {
    const token = await newToken();
    await session(token).expect(200);
    expect(await cachedInRedis(token)).toBe(true);

    link.partition();
    await t.http().post('/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    expect(await cachedInRedis(token)).toBe(true);

    link.heal();
    await waitFor(async () => {
      await session(token).expect(401);
      return (await health()).sessions.mode === 'redis';
    });
    await session(token).expect(401);
    expect(await cachedInRedis(token)).toBe(false);
  });
});
