import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { aUser } from '../support/builders/user.builder';
import { spareRedis, SpareRedis } from '../support/redis-server';

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

  const newToken = async () => {
    const input = aUser();
    await t.app.get(UsersService).create(input);
    const res = await t.http().post('/auth/login').send({ email: input.email, password: input.password }).expect(200);
    return res.body.token as string;
  };
  const session = (token: string) => t.http().get('/auth/session').set('Authorization', `Bearer ${token}`);
  const cachedInRedis = async (token: string) =>
    (await probe.exists(`ck:session:${createHash('sha256').update(token).digest('hex')}`)) === 1;
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
    expect((await metric('session_store_fallbacks_total{')).length).toBeGreaterThan(0);
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
