import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SECURITY_EVENTS } from '../../src/common/security-events';
import { hashToken } from '../../src/modules/sessions/session-token';
import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { aUser } from '../support/builders/user.builder';

const CHROME = (version: string) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36`;
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

type Headers = Record<string, string>;
const laptop = (): Headers => ({
  'user-agent': CHROME('131.0.6778.85'),
  'accept-language': 'en-GB,en;q=0.9',
  'x-device-id': randomUUID(),
});
const phone: Headers = { 'user-agent': IPHONE, 'accept-language': 'en-GB' };

interface Call {
  device?: Headers;
  token?: string;
  ip?: string;
  body?: Record<string, unknown>;
}

/** Requests through Fastify's injector, which can give each one its own client address. */
function client(t: TestApp) {
  const fastify = () => t.app.getHttpAdapter().getInstance() as FastifyInstance;
  const call = async (method: 'GET' | 'POST', url: string, { device = {}, token, ip = '127.0.0.1', body }: Call) => {
    const headers = { ...device, ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const response = await fastify().inject({ method, url, headers, payload: body, remoteAddress: ip });
    return {
      status: response.statusCode,
      contentType: String(response.headers['content-type'] ?? ''),
      body: response.body ? response.json() : undefined,
    };
  };
  const newUser = async () => {
    const input = aUser();
    const user = await t.app.get(UsersService).create(input);
    return { ...input, id: user.id };
  };
  const logIn = async (user: { email: string; password: string }, device: Headers, ip = '198.51.100.1') => {
    const res = await call('POST', '/auth/login', { device, ip, body: { email: user.email, password: user.password } });
    expect(res.status).toBe(200);
    return { token: res.body.token as string, sessionId: res.body.session.id as string };
  };
  const session = (token: string, device: Headers, ip?: string) => call('GET', '/auth/session', { token, device, ip });
  const reauthenticate = (token: string, device: Headers, password: string) =>
    call('POST', '/auth/reauthenticate', { token, device, body: { password } });
  return { call, newUser, logIn, session, reauthenticate };
}

describe('device-bound sessions, SESSION_FINGERPRINT_MISMATCH=reject', () => {
  let t: TestApp;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    t = await startTestApp({ SESSION_FINGERPRINT_MISMATCH: 'reject' });
    api = client(t);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  it('keeps the session across new client IPs, a minor browser update and other language weights', async () => {
    const device = laptop();
    const { token } = await api.logIn(await api.newUser(), device, '198.51.100.1');
    expect((await api.session(token, device, '203.0.113.50')).status).toBe(200);
    expect((await api.session(token, device, '2001:db8::7')).status).toBe(200);
    const updated = { ...device, 'user-agent': CHROME('131.0.6778.140') };
    expect((await api.session(token, updated, '203.0.113.51')).status).toBe(200);
    expect((await api.session(token, { ...device, 'accept-language': 'en-GB,en;q=0.5' })).status).toBe(200);
  });

  it('answers a request from another device 401 session-device-mismatch, ends the session and records it', async () => {
    const record = jest.spyOn(t.app.get(SECURITY_EVENTS), 'record');
    const device = laptop();
    const user = await api.newUser();
    const { token, sessionId } = await api.logIn(user, device);

    const stolen = await api.session(token, phone, '203.0.113.99');
    expect(stolen.status).toBe(401);
    expect(stolen.contentType).toMatch(/application\/problem\+json/);
    expect(stolen.body.type).toBe('/problems/session-device-mismatch');
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'auth.session.device-mismatch',
        outcome: 'denied',
        actorId: user.id,
        resourceType: 'session',
        resourceId: sessionId,
        details: { mode: 'reject' },
      }),
    );

    const owner = await api.session(token, device);
    expect(owner.status).toBe(401);
    expect(owner.body.type).toBe('/problems/unauthenticated');
    const [row] = await t.db.query<{ revoked_at: Date | null }>(
      'SELECT revoked_at FROM session_store WHERE token_hash = $1',
      [hashToken(token)],
    );
    expect(row.revoked_at).not.toBeNull();
  });

  it('treats the same browser with another device id, or none, as another device', async () => {
    const device = laptop();
    const first = await api.logIn(await api.newUser(), device);
    expect((await api.session(first.token, { ...device, 'x-device-id': randomUUID() })).body.type).toBe(
      '/problems/session-device-mismatch',
    );
    const second = await api.logIn(await api.newUser(), device);
    const { 'x-device-id': _, ...withoutId } = device;
    expect((await api.session(second.token, withoutId)).body.type).toBe('/problems/session-device-mismatch');
  });

  it('lets no other device re-authenticate into the session', async () => {
    const user = await api.newUser();
    const { token } = await api.logIn(user, laptop());
    const res = await api.reauthenticate(token, phone, user.password);
    expect(res.status).toBe(401);
    expect(res.body.type).toBe('/problems/session-device-mismatch');
  });
});

describe.each([
  ['Redis', {}],
  ['Postgres only', { REDIS_URL: undefined }],
])('device-bound sessions, SESSION_FINGERPRINT_MISMATCH=step-up (%s store)', (_, store) => {
  let t: TestApp;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    t = await startTestApp({ SESSION_FINGERPRINT_MISMATCH: 'step-up', LOGIN_MAX_FAILURES: '3', ...store });
    api = client(t);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  it('keeps the session when only the client IP changes', async () => {
    const device = laptop();
    const { token } = await api.logIn(await api.newUser(), device, '198.51.100.2');
    expect((await api.session(token, device, '203.0.113.60')).status).toBe(200);
  });

  it('holds the session after a mismatch until the password is proven again, then binds it to the new device', async () => {
    const record = jest.spyOn(t.app.get(SECURITY_EVENTS), 'record');
    const device = laptop();
    const user = await api.newUser();
    const { token, sessionId } = await api.logIn(user, device);
    const bound = (await api.session(token, device)).body.deviceFingerprint;

    const moved = await api.session(token, phone, '203.0.113.70');
    expect(moved.status).toBe(401);
    expect(moved.contentType).toMatch(/application\/problem\+json/);
    expect(moved.body.type).toBe('/problems/reauthentication-required');
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'auth.session.device-mismatch',
        outcome: 'denied',
        resourceId: sessionId,
        details: { mode: 'step-up' },
      }),
    );
    // Held for every device, its own included: whoever holds the token must prove the password.
    expect((await api.session(token, device)).body.type).toBe('/problems/reauthentication-required');
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'auth.unauthenticated', details: { reason: 'reauthentication-required' } }),
    );

    const wrong = await api.reauthenticate(token, phone, 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(wrong.body.type).toBe('/problems/invalid-credentials');
    expect((await api.session(token, phone)).body.type).toBe('/problems/reauthentication-required');

    const proven = await api.reauthenticate(token, phone, user.password);
    expect(proven.status).toBe(200);
    expect(proven.body).toMatchObject({ id: sessionId, reauthenticationRequired: false });
    expect(proven.body.reauthenticatedAt).toEqual(expect.any(String));
    expect(proven.body.deviceFingerprint).not.toBe(bound);
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'auth.reauthentication.succeeded', outcome: 'success' }),
    );

    expect((await api.session(token, phone, '203.0.113.71')).status).toBe(200);
    expect((await api.session(token, device)).body.type).toBe('/problems/reauthentication-required');
  });

  it('counts failed re-authentications towards the account lockout', async () => {
    const user = await api.newUser();
    const { token } = await api.logIn(user, laptop());
    await api.session(token, phone);
    for (let i = 0; i < 3; i++) expect((await api.reauthenticate(token, phone, 'wrong password')).status).toBe(401);
    const locked = await api.reauthenticate(token, phone, user.password);
    expect(locked.status).toBe(423);
    expect(locked.body.type).toBe('/problems/account-locked');
    const login = await api.call('POST', '/auth/login', { body: { email: user.email, password: user.password } });
    expect(login.status).toBe(423);
  });
});
