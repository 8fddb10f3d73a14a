import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { UsersService } from '../../../src/modules/users/users.service';
import { startTestApp, type TestApp } from '../../support/app';
import { aUser } from '../../support/builders/user.builder';
import { expectConsistent, expectNoPii, signalsOf, untilSignals } from './signals.fixture';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

type Headers = Record<string, string>;
const laptop = (): Headers => ({ 'user-agent': CHROME, 'accept-language': 'en-GB', 'x-device-id': randomUUID() });
const phone = (): Headers => ({ 'user-agent': IPHONE, 'accept-language': 'en-GB', 'x-device-id': randomUUID() });

describe('security signals about sessions: new devices and network switches', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SIGNAL_NETWORK_SWITCH_WINDOW_SECONDS: '600' });
  });
  afterAll(() => t.close());

  const inject = (method: 'GET' | 'POST', url: string, headers: Headers, ip: string, body?: object) =>
    (t.app.getHttpAdapter().getInstance() as FastifyInstance).inject({
      method,
      url,
      headers,
      payload: body,
      remoteAddress: ip,
    });
  const newUser = async () => {
    const input = aUser();
    const user = await t.app.get(UsersService).create(input);
    return { ...input, id: user.id };
  };
  const logIn = async (user: { email: string; password: string }, device: Headers, ip = '198.51.100.1') => {
    const res = await inject('POST', '/auth/login', device, ip, { email: user.email, password: user.password });
    expect(res.statusCode).toBe(200);
    return { token: res.json().token as string, sessionId: res.json().session.id as string };
  };
  const use = async (token: string, device: Headers, ip: string) => {
    const res = await inject('GET', '/auth/session', { ...device, authorization: `Bearer ${token}` }, ip);
    expect(res.statusCode).toBe(200);
  };

  describe('new-device', () => {
    it('stays quiet for an account first device and for logging in again from it', async () => {
      const user = await newUser();
      const device = laptop();
      await logIn(user, device);
      await logIn(user, device, '203.0.113.9');
      await logIn(user, device);
      expect((await signalsOf(t, 'new-device')).trail).toEqual([]);
    });

    it('fires once when the account logs in from a device it never used', async () => {
      const user = await newUser();
      const device = phone();
      await logIn(user, laptop());
      await logIn(user, device);
      await logIn(user, device);
      const views = await untilSignals(t, 'new-device', 1);
      expect(views.trail).toEqual([
        expect.objectContaining({
          action: 'security.signal.new-device',
          actorId: user.id,
          resourceType: 'user',
          resourceId: user.id,
          details: { device: expect.stringMatching(/^[0-9a-f]{12}$/), knownDevices: 1 },
        }),
      ]);
      expectConsistent(views, 'info');
      expectNoPii(views, user.email, 'iPhone', '198.51.100.1');
      const stored = await t.db.query<{ fingerprint: string }>(
        'SELECT fingerprint FROM user_known_devices WHERE user_id = $1',
        [user.id],
      );
      expect(stored).toHaveLength(2);
      expect(stored.map((row) => row.fingerprint)).toContainEqual(expect.stringMatching(/^[0-9a-f]{32}$/));
    });
  });

  describe('network-switch', () => {
    it('stays quiet for a session used from one network, and for two sessions on two networks', async () => {
      const user = await newUser();
      const device = laptop();
      const { token } = await logIn(user, device, '198.51.100.1');
      await use(token, device, '198.51.100.1');
      await use(token, device, '198.51.7.40');
      await use(token, device, '198.51.200.3');
      const other = await logIn(user, device, '192.0.2.10');
      await use(other.token, device, '192.0.2.10');
      expect((await signalsOf(t, 'network-switch')).trail).toEqual([]);
    });

    it('fires once when one session is used from a distant network within minutes', async () => {
      const user = await newUser();
      const device = laptop();
      const { token, sessionId } = await logIn(user, device, '198.51.100.1');
      await use(token, device, '198.51.100.1');
      await use(token, device, '203.0.113.77');
      await use(token, device, '198.51.100.1');
      await use(token, device, '2001:db8::5');
      const views = await untilSignals(t, 'network-switch', 1);
      expect(views.trail).toEqual([
        expect.objectContaining({
          action: 'security.signal.network-switch',
          actorId: user.id,
          resourceType: 'session',
          resourceId: sessionId,
          details: {
            fromNetwork: expect.stringMatching(/^[0-9a-f]{16}$/),
            toNetwork: expect.stringMatching(/^[0-9a-f]{16}$/),
            windowSeconds: 600,
          },
        }),
      ]);
      expect(views.trail[0].details.fromNetwork).not.toBe(views.trail[0].details.toNetwork);
      expectConsistent(views, 'warning');
      expectNoPii(views, '198.51', '203.0.113', '2001:db8', user.email);
    });

    it('counts the network a session logged in from', async () => {
      const user = await newUser();
      const device = laptop();
      const { token, sessionId } = await logIn(user, device, '192.0.2.10');
      await use(token, device, '203.0.113.5');
      const views = await untilSignals(t, 'network-switch', 2);
      expect(views.trail[0]).toMatchObject({ resourceId: sessionId, actorId: user.id });
      expectConsistent(views, 'warning');
    });
  });
});
