import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, startTestReplica, TestApp } from '../support/app';
import { aUser } from '../support/builders/user.builder';
import { networkLink, NetworkLink } from '../support/network-link';
import { spareRedis, SpareRedis } from '../support/redis-server';
import { waitFor } from '../support/wait-for';

const TIMINGS = {
  SESSION_REDIS_TIMEOUT_MS: '100',
  SESSION_CIRCUIT_COOLDOWN_MS: '1000',
  SESSION_REVOCATION_SYNC_MS: '200',
  HEALTH_CHECK_TIMEOUT_MS: '300',
};

/**
 * Two replicas share Postgres and one Redis that keeps its data. Replica `cut` reaches Redis
 * through a link the test can partition; replica `connected` always reaches it.
 */
describe('sessions on two replicas when one of them loses Redis', () => {
  let redisServer: SpareRedis;
  let link: NetworkLink;
  let connected: TestApp;
  let cut: TestApp;
  let probe: Redis;

  beforeAll(async () => {
    redisServer = await spareRedis();
    await redisServer.start();
    link = await networkLink(redisServer.port);
    connected = await startTestApp({ REDIS_URL: redisServer.url, ...TIMINGS });
    cut = await startTestReplica(connected, { REDIS_URL: `redis://127.0.0.1:${link.port}`, ...TIMINGS });
    probe = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    probe.disconnect();
    link.heal();
    await cut.close();
    await connected.close();
    await link.close();
    await redisServer.kill();
  });

  const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
  const logIn = async (replica: TestApp) => {
    const input = aUser();
    await replica.app.get(UsersService).create(input);
    const res = await replica
      .http()
      .post('/auth/login')
      .send({ email: input.email, password: input.password })
      .expect(200);
    return res.body.token as string;
  };
  const session = (replica: TestApp, token: string) =>
    replica.http().get('/auth/session').set('Authorization', `Bearer ${token}`);
  const logOut = (replica: TestApp, token: string) =>
    replica.http().post('/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
  /** From the report or, if another indicator made it a 503, from the problem's `checks`. */
  const modeOf = async (replica: TestApp) => {
    const { body } = await replica.http().get('/health');
    return (body.details ?? body.checks).sessions.mode;
  };
  const cachedInRedis = async (token: string) =>
    (await probe.exists(`${connected.db.name}:session:${hashOf(token)}`)) === 1;
  const purgePending = async (token: string) =>
    (
      await connected.db.query<{ redis_purge_pending: boolean }>(
        'SELECT redis_purge_pending FROM session_store WHERE token_hash = $1',
        [hashOf(token)],
      )
    )[0].redis_purge_pending;

  it('a logout on the replica cut off from Redis is enforced by the other within the revocation sync interval', async () => {
    const token = await logIn(cut);
    await session(connected, token).expect(200);
    expect(await cachedInRedis(token)).toBe(true);

    link.partition();
    await logOut(cut, token);
    await session(cut, token).expect(401);
    expect(await modeOf(cut)).toBe('postgres-fallback');

    await waitFor(async () => (await session(connected, token)).status === 401);
    expect(await modeOf(connected)).toBe('redis');
    expect(await cachedInRedis(token)).toBe(false);
    await waitFor(async () => !(await purgePending(token)));

    link.heal();
    await waitFor(async () => (await modeOf(cut)) === 'redis');
    await session(cut, token).expect(401);
  });
});
