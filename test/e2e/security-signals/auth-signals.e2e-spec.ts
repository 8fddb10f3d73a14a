import request from 'supertest';
import { startTestApp, startTestReplica, type TestApp } from '../../support/app';
import { anApiKey } from '../../support/builders/api-key.builder';
import { expectConsistent, expectNoPii, signalsOf, untilSignals } from './signals.fixture';

const BURST = 5;

describe('security signals about refusals: 401/403 bursts and keys used outside their networks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SIGNAL_AUTH_FAILURE_BURST: String(BURST), SIGNAL_AUTH_FAILURE_WINDOW_SECONDS: '600' });
  });
  afterAll(() => t.close());

  /** A request from `ip`, as the socket would report it. */
  const from = (app: TestApp, ip: string, url: string, headers: Record<string, string> = {}) =>
    app.app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers, remoteAddress: ip });

  describe('auth-failure-burst', () => {
    it('stays quiet for a few 401s from one client', async () => {
      for (let i = 0; i < BURST - 1; i++)
        expect((await from(t, '198.51.100.20', '/auth/session')).statusCode).toBe(401);
      expect((await signalsOf(t, 'auth-failure-burst')).trail).toEqual([]);
    });

    it('fires once when one IP keeps getting 401s, however long it goes on', async () => {
      for (let i = 0; i < BURST * 4; i++) await from(t, '203.0.113.50', '/auth/session');
      const views = await untilSignals(t, 'auth-failure-burst', 1);
      expect(views.trail).toHaveLength(1);
      expect(views.trail[0]).toMatchObject({
        action: 'security.signal.auth-failure-burst',
        actorId: 'system',
        details: { subject: 'ip', refusals: BURST, threshold: BURST, windowSeconds: 600 },
      });
      expectConsistent(views, 'warning');
      expectNoPii(views, '203.0.113.50');
    });

    it('counts refusals of one API key across replicas and networks', async () => {
      const admin = await t.as('admin');
      const { body } = await admin
        .post('/api-keys')
        .send(anApiKey({ role: 'service' }))
        .expect(201);
      const replica = await startTestReplica(t, {
        SIGNAL_AUTH_FAILURE_BURST: String(BURST),
        SIGNAL_AUTH_FAILURE_WINDOW_SECONDS: '600',
      });
      try {
        for (let i = 0; i < BURST; i++) {
          // service may not read the audit trail: 403, alternating replicas, every time from another /16
          const app = i % 2 ? replica : t;
          const res = await from(app, `10.${i}.0.1`, '/audit/events', { 'x-api-key': body.secret });
          expect(res.statusCode).toBe(403);
        }
      } finally {
        await replica.close();
      }
      const views = await untilSignals(t, 'auth-failure-burst', 2);
      const keySignals = views.trail.filter((event) => event.details.subject === 'api-key');
      expect(keySignals).toEqual([
        expect.objectContaining({
          resourceType: 'api-key',
          resourceId: body.key.id,
          details: expect.objectContaining({ subjectId: body.key.id, refusals: BURST }),
        }),
      ]);
    });
  });

  describe('key-outside-cidrs', () => {
    it('stays quiet for a key used from inside its networks', async () => {
      const admin = await t.as('admin');
      const { body } = await admin
        .post('/api-keys')
        .send(anApiKey({ allowedCidrs: ['198.51.100.0/24'] }))
        .expect(201);
      expect((await from(t, '198.51.100.9', '/auth/session', { 'x-api-key': body.secret })).statusCode).toBe(200);
      expect((await signalsOf(t, 'key-outside-cidrs')).trail).toEqual([]);
    });

    it('raises one critical signal naming the key when it is used from elsewhere', async () => {
      const admin = await t.as('admin');
      const { body } = await admin
        .post('/api-keys')
        .send(anApiKey({ allowedCidrs: ['198.51.100.0/24'] }))
        .expect(201);
      for (let i = 0; i < 3; i++) {
        expect((await from(t, '192.0.2.77', '/auth/session', { 'x-api-key': body.secret })).statusCode).toBe(401);
      }
      const views = await untilSignals(t, 'key-outside-cidrs', 1);
      expect(views.trail).toEqual([
        expect.objectContaining({ resourceType: 'api-key', resourceId: body.key.id, severity: 'critical' }),
      ]);
      expect(views.trail[0].details).toMatchObject({
        lookupId: expect.any(String),
        client: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      expectConsistent(views, 'critical');
      expectNoPii(views, '192.0.2.77', body.secret);
    });
  });

  describe('GET /security/signals', () => {
    it('lists every detector newest first, filters by severity and time, and is for auditors', async () => {
      const auditor = await t.as('auditor');
      const all = (await auditor.get('/security/signals').expect(200)).body.items as {
        occurredAt: string;
        detector: string;
      }[];
      expect(all.map((signal) => signal.detector).sort()).toEqual([
        'auth-failure-burst',
        'auth-failure-burst',
        'key-outside-cidrs',
      ]);
      expect([...all].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt))).toEqual(all);
      const critical = (await auditor.get('/security/signals?severity=critical').expect(200)).body.items;
      expect(critical.map((signal: { detector: string }) => signal.detector)).toEqual(['key-outside-cidrs']);
      expect((await auditor.get('/security/signals?limit=1').expect(200)).body.items).toEqual([all[0]]);
      const future = new Date(Date.now() + 60_000).toISOString();
      expect((await auditor.get(`/security/signals?since=${future}`).expect(200)).body.items).toEqual([]);
      const analyst = await t.as('analyst');
      await analyst.get('/security/signals').expect(403);
      await request(t.app.getHttpServer()).get('/security/signals').expect(401);
    });

    it.each([
      ['detector=nope', 'detector'],
      ['severity=loud', 'severity'],
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
    ])('answers ?%s with a 400 naming %s', async (query, field) => {
      const auditor = await t.as('auditor');
      const res = await auditor.get(`/security/signals?${query}`).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.type).toBe('/problems/validation');
      expect(res.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
    });
  });
});
