import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { systemClock } from '../../src/modules/sessions/clock';
import { SessionMaintenanceJobs } from '../../src/modules/sessions/jobs/session-maintenance.jobs';
import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, type TestApp } from '../support/app';
import { aRecord } from '../support/builders/compliance-record.builder';
import { aUser } from '../support/builders/user.builder';
import { spareRedis, type SpareRedis } from '../support/redis-server';

const LOGIN_LIMIT = 5;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Two deployments (own database, own QUEUE_PREFIX) on one Redis of their own, so every key in it
 * was written by one of them: neither throttles, syncs or evicts the other's clients.
 */
describe('two deployments sharing one Redis', () => {
  let redisServer: SpareRedis;
  let redis: Redis;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    redisServer = await spareRedis();
    await redisServer.start();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    const environment = { REDIS_URL: redisServer.url, THROTTLE_LOGIN_LIMIT: String(LOGIN_LIMIT) };
    [a, b] = await Promise.all([startTestApp(environment), startTestApp(environment)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    redis?.disconnect();
    await redisServer?.kill();
  });

  const logIn = async (t: TestApp) => {
    const input = aUser();
    await t.app.get(UsersService).create(input);
    const res = await t.http().post('/auth/login').send({ email: input.email, password: input.password }).expect(200);
    return { token: res.body.token as string, userId: res.body.session.userId as string };
  };
  const session = (t: TestApp, token: string) => t.http().get('/auth/session').set('Authorization', `Bearer ${token}`);
  const keys = async () => {
    const found: string[] = [];
    for await (const batch of redis.scanStream({ count: 1000 }) as AsyncIterable<string[]>) found.push(...batch);
    return found;
  };

  it('throttles logins per deployment: one over its limit leaves the other open to the same client', async () => {
    // One client address of its own: the other tests log in from 127.0.0.1 and stay under the limit.
    const loginFrom = (t: TestApp, body: object) =>
      (t.app.getHttpAdapter().getInstance() as FastifyInstance).inject({
        method: 'POST',
        url: '/auth/login',
        payload: body,
        remoteAddress: '198.51.100.7',
      });
    const wrong = { email: 'nobody@example.com', password: 'not it at all' };
    const statuses: number[] = [];
    for (let i = 0; i <= LOGIN_LIMIT + 1 && !statuses.includes(429); i++)
      statuses.push((await loginFrom(a, wrong)).statusCode);
    expect(statuses.at(-1)).toBe(429);
    const input = aUser();
    await b.app.get(UsersService).create(input);
    expect((await loginFrom(b, { email: input.email, password: input.password })).statusCode).toBe(200);
    expect((await loginFrom(a, wrong)).statusCode).toBe(429);
  });

  it("syncs only its own session activity: the other's sync leaves it for its owner", async () => {
    const { token, userId } = await logIn(b);
    const later = Date.now() + 10 * 60_000;
    jest.spyOn(systemClock, 'now').mockImplementation(() => new Date(later));
    try {
      await session(b, token).expect(200);
      await a.app.get(SessionMaintenanceJobs).syncActivity();
      await b.app.get(SessionMaintenanceJobs).syncActivity();
    } finally {
      jest.restoreAllMocks();
    }
    const [row] = await b.db.query<{ at: Date }>(
      'SELECT last_activity_at AS at FROM session_store WHERE user_id = $1',
      [userId],
    );
    expect(row.at.getTime()).toBe(later);
  });

  it("revokes only its own sessions: a logout in one leaves the other's cached and valid", async () => {
    const [inA, inB] = [await logIn(a), await logIn(b)];
    await a.http().post('/auth/logout').set('Authorization', `Bearer ${inA.token}`).expect(204);
    await session(a, inA.token).expect(401);
    expect(await redis.exists(`${b.db.name}:session:${hashOf(inB.token)}`)).toBe(1);
    await session(b, inB.token).expect(200);
  });

  it('writes every key under its own prefix: sessions, throttling, caches, signals, queues', async () => {
    for (const t of [a, b]) {
      const analyst = await t.as('analyst');
      const { body } = await analyst.post('/compliance/records').send(aRecord()).expect(201);
      await analyst.get(`/compliance/records/${body.id}`).expect(200);
      await t.http().get('/auth/session').set('Authorization', 'Bearer not-a-session').expect(401);
    }
    const { token } = await logIn(a);
    await session(a, token).expect(200);

    const all = await keys();
    const strays = all.filter((key) => !key.startsWith(`${a.db.name}:`) && !key.startsWith(`${b.db.name}:`));
    expect(strays).toEqual([]);
    const of = (t: TestApp, kind: string) => all.some((key) => key.startsWith(`${t.db.name}:${kind}`));
    for (const kind of ['session:', 'user-sessions:', 'throttle:{', 'compliance:record:', 'signals:']) {
      expect([kind, of(a, kind), of(b, kind)]).toEqual([kind, true, true]);
    }
  });
});
