import { Redis } from 'ioredis';
import { REVOCATION_CHANNEL } from '../../src/modules/sessions/stores/session-revocation-listener';
import { hashToken } from '../../src/modules/sessions/session-token';
import { logInAs, startTestApp, startTestReplica, TestApp } from '../support/app';
import { TEST_REDIS_URL } from '../support/database';
import { waitFor } from '../support/wait-for';

const status = async (replica: TestApp, token: string) =>
  (await replica.http().get('/auth/session').set('Authorization', `Bearer ${token}`)).status;

/** Revokes behind the app's back: no notification, so only a cache miss can see it. */
const revokeSilently = (replica: TestApp, token: string) =>
  replica.db.query(`UPDATE session_store SET revoked_at = now() WHERE token_hash = $1`, [hashToken(token)]);

/**
 * Two replicas on Postgres alone (the embedded default's store), each caching sessions it read and
 * evicting them on the revocation notifications Postgres delivers.
 */
describe('sessions cached per replica, evicted by revocation notifications', () => {
  let a: TestApp;
  let b: TestApp;
  let uncached: TestApp;

  beforeAll(async () => {
    a = await startTestApp({ REDIS_URL: undefined });
    b = await startTestReplica(a, { REDIS_URL: undefined });
    uncached = await startTestReplica(a, { REDIS_URL: undefined, SESSION_CACHE_TTL_MS: '0' });
  });
  afterAll(async () => {
    await uncached.close();
    await b.close();
    await a.close();
  });

  const logIn = async () => (await logInAs(a.app, 'analyst')).token;

  it('answers from the cache: a revocation nobody was told of is not seen until a notification', async () => {
    const token = await logIn();
    expect([await status(a, token), await status(b, token), await status(uncached, token)]).toEqual([200, 200, 200]);
    await revokeSilently(a, token);
    expect([await status(a, token), await status(b, token), await status(uncached, token)]).toEqual([200, 200, 401]);

    await a.db.query(`SELECT pg_notify($1, $2)`, [REVOCATION_CHANNEL, hashToken(token)]);
    await waitFor(async () => (await status(a, token)) === 401 && (await status(b, token)) === 401, 2_000);
  });

  it('enforces a logout at once on the replica that made it and on the others as soon as the notification lands', async () => {
    const token = await logIn();
    expect([await status(a, token), await status(b, token)]).toEqual([200, 200]);
    await b.http().post('/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    expect(await status(b, token)).toBe(401);
    await waitFor(async () => (await status(a, token)) === 401, 2_000);
  });

  it('stops trusting its cache when the listening connection drops, and listens again', async () => {
    const token = await logIn();
    expect(await status(a, token)).toBe(200);
    await revokeSilently(a, token);
    await a.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'compliance-kit-revocations'`,
    );
    await waitFor(async () => (await status(a, token)) === 401, 2_000);

    // Caching again once it listens again: a session read after that keeps answering after a silent revocation.
    await waitFor(async () => {
      const next = await logIn();
      await status(a, next);
      await revokeSilently(a, next);
      return (await status(a, next)) === 200;
    }, 5_000);
    // What it cached before the drop is gone: the notifications it missed meanwhile could be about it.
    expect(await status(a, token)).toBe(401);
  });
});

/**
 * The same cache in front of Redis: a session read once is answered from memory, so a request
 * costs no Redis round trip; revocations evict it as above, and so does the revocation sync once it
 * has deleted a session from Redis that a replica may have read before the purge.
 */
describe('sessions cached per replica in front of Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let uncached: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    a = await startTestApp({ SESSION_REVOCATION_SYNC_MS: '200' });
    b = await startTestReplica(a, { SESSION_REVOCATION_SYNC_MS: '200' });
    uncached = await startTestReplica(a, { SESSION_CACHE_TTL_MS: '0', SESSION_REVOCATION_SYNC_MS: '200' });
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await uncached.close();
    await b.close();
    await a.close();
  });

  const logIn = async () => (await logInAs(a.app, 'analyst')).token;
  const sessionKey = (token: string) => `${a.db.name}:session:${hashToken(token)}`;

  it('answers a session it read from memory: gone from Redis and revoked silently, it is still served until notified', async () => {
    const token = await logIn();
    expect([await status(a, token), await status(b, token), await status(uncached, token)]).toEqual([200, 200, 200]);
    await revokeSilently(a, token);
    await redis.del(sessionKey(token));
    expect([await status(a, token), await status(b, token), await status(uncached, token)]).toEqual([200, 200, 401]);

    await a.db.query(`SELECT pg_notify($1, $2)`, [REVOCATION_CHANNEL, hashToken(token)]);
    await waitFor(async () => (await status(a, token)) === 401 && (await status(b, token)) === 401, 2_000);
  });

  it('drops a copy read from Redis before the purge once the revocation sync has purged it', async () => {
    const token = await logIn();
    expect(await status(b, token)).toBe(200);
    // Revoked without the notification, as if it had been missed: only the sync's own can evict.
    await a.db.query(`UPDATE session_store SET revoked_at = now(), redis_purge_pending = true WHERE token_hash = $1`, [
      hashToken(token),
    ]);
    await waitFor(async () => (await redis.exists(sessionKey(token))) === 0, 5_000);
    await waitFor(async () => (await status(b, token)) === 401, 5_000);
  });

  it('enforces a logout on another replica as soon as the notification lands', async () => {
    const token = await logIn();
    expect([await status(a, token), await status(b, token)]).toEqual([200, 200]);
    await a.http().post('/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    expect(await status(a, token)).toBe(401);
    await waitFor(async () => (await status(b, token)) === 401, 2_000);
  });
});
