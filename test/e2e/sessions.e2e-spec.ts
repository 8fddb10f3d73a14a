import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { SECURITY_EVENTS } from '../../src/common/security-events';
import { systemClock } from '../../src/modules/sessions/clock';
import { SessionMaintenanceJobs } from '../../src/modules/sessions/jobs/session-maintenance.jobs';
import type { RedisSessionStore } from '../../src/modules/sessions/stores/redis-session.store';
import { SESSION_STORE } from '../../src/modules/sessions/stores/session-store';
import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { aUser, UserInput } from '../support/builders/user.builder';
import { TEST_REDIS_URL } from '../support/database';

const MINUTE = 60_000;

describe('sessions and access control', () => {
  let t: TestApp;
  let now: number;
  let redis: Redis;
  const advance = (ms: number) => (now += ms);

  beforeAll(async () => {
    t = await startTestApp({ SESSION_MAX_PER_USER: '3', LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '600' });
    redis = new Redis(TEST_REDIS_URL);
  });
  beforeEach(() => {
    now = Date.now();
    jest.spyOn(systemClock, 'now').mockImplementation(() => new Date(now));
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  const newUser = async (overrides: Partial<UserInput> = {}) => {
    const input = aUser(overrides);
    const user = await t.app.get(UsersService).create(input);
    return { ...input, id: user.id };
  };
  const login = (user: { email: string; password: string }) =>
    t.http().post('/auth/login').send({ email: user.email, password: user.password });
  const tokenOf = async (user: { email: string; password: string }) => (await login(user).expect(200)).body.token;
  const session = (token: string) => t.http().get('/auth/session').set('Authorization', `Bearer ${token}`);
  const securityEvents = () => jest.spyOn(t.app.get(SECURITY_EVENTS), 'record');

  it('returns a 256-bit base64url token once and stores only its SHA-256', async () => {
    const user = await newUser();
    const res = await login(user).expect(200);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const hash = createHash('sha256').update(res.body.token).digest('hex');
    const rows = await t.db.query<Record<string, unknown>>('SELECT * FROM session_store WHERE user_id = $1', [user.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(hash);
    expect(JSON.stringify(rows)).not.toContain(res.body.token);
    expect(await redis.get(`${t.db.name}:session:${hash}`)).not.toContain(res.body.token);
    expect(res.body.session).toMatchObject({ userId: user.id, role: 'analyst' });
  });

  it('validates the bearer token on GET /auth/session', async () => {
    const user = await newUser();
    const token = await tokenOf(user);
    const res = await session(token).expect(200);
    expect(res.body).toMatchObject({ userId: user.id, deviceFingerprint: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('answers 401 problem+json for a missing or unknown token and records a security event', async () => {
    const record = securityEvents();
    const missing = await t.http().get('/auth/session').expect(401);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    expect(missing.body.type).toBe('/problems/unauthenticated');
    await session('x'.repeat(43)).expect(401);
    expect(record).toHaveBeenCalledWith(expect.objectContaining({ action: 'auth.unauthenticated' }));
  });

  it('answers 403 problem+json for the wrong role and records a security event', async () => {
    const record = securityEvents();
    const res = await (await t.as('auditor')).post('/users').send(aUser()).expect(403);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.type).toBe('/problems/forbidden');
    expect(record).toHaveBeenCalledWith(expect.objectContaining({ action: 'auth.forbidden', severity: 'warning' }));
    await (await t.as('analyst')).get('/admin/encryption/status').expect(403);
    await t.http().get('/admin/encryption/status').expect(401);
  });

  it('lets admins through every role check and keeps health, metrics and docs public', async () => {
    await (await t.as('admin')).post('/users').send(aUser()).expect(201);
    await t.http().get('/health/live').expect(200);
    await t.http().get('/metrics').expect(200);
    await t.http().get('/docs-json').expect(200);
  });

  it('shows PII in clear to admins and the user themself, masked to others', async () => {
    const user = await newUser({ email: 'jane.masked@example.com' });
    const admin = await (await t.as('admin')).get(`/users/${user.id}`).expect(200);
    expect(admin.body).toMatchObject({ email: user.email, ssn: user.ssn, masked: false });
    const self = await t
      .http()
      .get(`/users/${user.id}`)
      .set('Authorization', `Bearer ${await tokenOf(user)}`);
    expect(self.body).toMatchObject({ email: user.email, masked: false });
    const other = await (await t.as('auditor')).get(`/users/${user.id}`).expect(200);
    expect(other.body).toMatchObject({ email: 'j***@example.com', ssn: '***89', address: '***', masked: true });
  });

  it('ends the session on logout', async () => {
    const token = await tokenOf(await newUser());
    await t.http().post('/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    await session(token).expect(401);
  });

  it('revokes every session of the user on logout-all, and no one else', async () => {
    const user = await newUser();
    const [first, second] = [await tokenOf(user), await tokenOf(user)];
    const bystander = await tokenOf(await newUser());
    const res = await t.http().post('/auth/logout-all').set('Authorization', `Bearer ${first}`).expect(201);
    expect(res.body).toEqual({ revoked: 2 });
    await session(first).expect(401);
    await session(second).expect(401);
    await session(bystander).expect(200);
  });

  it('lists my sessions and revokes one of them, but not somebody else’s', async () => {
    const user = await newUser();
    const [first, second] = [await tokenOf(user), await tokenOf(user)];
    const mine = await t.http().get('/auth/sessions').set('Authorization', `Bearer ${first}`).expect(200);
    expect(mine.body).toHaveLength(2);
    const secondId = (await session(second).expect(200)).body.id;
    const stranger = await tokenOf(await newUser());
    await t.http().delete(`/auth/sessions/${secondId}`).set('Authorization', `Bearer ${stranger}`).expect(404);
    await t.http().delete(`/auth/sessions/${secondId}`).set('Authorization', `Bearer ${first}`).expect(204);
    await session(second).expect(401);
    await session(first).expect(200);
  });

  it('lets an admin revoke all sessions of a user', async () => {
    const user = await newUser();
    const token = await tokenOf(user);
    const res = await (await t.as('admin')).post(`/admin/users/${user.id}/sessions/revoke`).expect(201);
    expect(res.body).toEqual({ revoked: 1 });
    await session(token).expect(401);
  });

  it('revokes a user’s sessions when an admin disables the user or changes their role', async () => {
    const disabled = await newUser();
    const disabledToken = await tokenOf(disabled);
    await (await t.as('admin')).post(`/users/${disabled.id}/disable`).expect(200);
    await session(disabledToken).expect(401);
    await login(disabled).expect(401);

    const promoted = await newUser();
    const promotedToken = await tokenOf(promoted);
    await (await t.as('admin')).patch(`/users/${promoted.id}`).send({ role: 'auditor' }).expect(200);
    await session(promotedToken).expect(401);
    const fresh = await session(await tokenOf(promoted)).expect(200);
    expect(fresh.body.role).toBe('auditor');
  });

  it('expires a session idle for longer than an hour, and slides while it is used', async () => {
    const token = await tokenOf(await newUser());
    advance(59 * MINUTE);
    await session(token).expect(200);
    advance(59 * MINUTE);
    await session(token).expect(200);
    advance(61 * MINUTE);
    await session(token).expect(401);
  });

  it('expires a session 12 hours after login however active it is', async () => {
    const token = await tokenOf(await newUser());
    for (let elapsed = 0; elapsed < 11 * 60; elapsed += 50) {
      advance(50 * MINUTE);
      await session(token).expect(200);
    }
    advance(70 * MINUTE);
    await session(token).expect(401);
  });

  it('revokes the oldest session when a user exceeds the concurrent-session limit', async () => {
    const user = await newUser();
    const tokens = [];
    for (let i = 0; i < 4; i++) {
      tokens.push(await tokenOf(user));
      advance(1_000);
    }
    await session(tokens[0]).expect(401);
    for (const token of tokens.slice(1)) await session(token).expect(200);
  });

  it('locks the account after repeated failures, records it, and unlocks after the period', async () => {
    const record = securityEvents();
    const user = await newUser();
    for (let i = 0; i < 3; i++) {
      const res = await login({ ...user, password: 'wrong password' }).expect(401);
      expect(res.body.type).toBe('/problems/invalid-credentials');
    }
    const locked = await login(user).expect(423);
    expect(locked.body.type).toBe('/problems/account-locked');
    expect(record).toHaveBeenCalledWith(expect.objectContaining({ action: 'auth.lockout', severity: 'critical' }));
    advance(601_000);
    await login(user).expect(200);
  });

  it('answers an unknown email exactly like a wrong password', async () => {
    const res = await login({ email: 'nobody@example.com', password: 'whatever it is' }).expect(401);
    expect(res.body.type).toBe('/problems/invalid-credentials');
  });

  it('moves last activity from Redis to Postgres in the sync job', async () => {
    const user = await newUser();
    const token = await tokenOf(user);
    const lastActivity = async () =>
      (
        await t.db.query<{ at: Date }>('SELECT last_activity_at AS at FROM session_store WHERE user_id = $1', [user.id])
      )[0].at;
    const before = await lastActivity();
    advance(10 * MINUTE);
    await session(token).expect(200);
    expect(await lastActivity()).toEqual(before);
    expect(await t.app.get(SessionMaintenanceJobs).syncActivity()).toBeGreaterThanOrEqual(1);
    expect((await lastActivity()).getTime()).toBe(now);
  });

  it('deletes sessions that ended over a day ago in the cleanup job, once Redis has been purged of them', async () => {
    const token = await tokenOf(await newUser());
    await t.http().post('/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    await t.app.get<RedisSessionStore>(SESSION_STORE).syncRevocations();
    advance(25 * 60 * MINUTE);
    expect(await t.app.get(SessionMaintenanceJobs).cleanup()).toBeGreaterThanOrEqual(1);
    const hash = createHash('sha256').update(token).digest('hex');
    expect(await t.db.query('SELECT 1 FROM session_store WHERE token_hash = $1', [hash])).toEqual([]);
  });
});
