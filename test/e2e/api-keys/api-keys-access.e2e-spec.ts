import { startTestApp, TestApp } from '../../support/app';
import { anApiKey, LOOPBACK_CIDRS, withChecksum } from '../../support/builders/api-key.builder';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { aUser } from '../../support/builders/user.builder';
import type { Role } from '../../../src/common/auth/roles';

interface SecurityEventRow {
  actor_id: string;
  action: string;
  severity: string;
  outcome: string;
  resource_id: string | null;
  details: { reason?: string; credential?: string; lookupId?: string };
}

describe('what an API key may do, and how a bad one is refused', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const createKey = async (role: Role, overrides = {}) => {
    const admin = await t.as('admin');
    const { body } = await admin
      .post('/api-keys')
      .send(anApiKey({ role, ...overrides }))
      .expect(201);
    return body as { secret: string; key: { id: string; prefix: string } };
  };
  const withKey = (secret: string) => ({
    get: (url: string) => t.http().get(url).set('X-API-Key', secret),
    post: (url: string) => t.http().post(url).set('Authorization', `Bearer ${secret}`),
    patch: (url: string) => t.http().patch(url).set('X-API-Key', secret),
    delete: (url: string) => t.http().delete(url).set('X-API-Key', secret),
  });
  const eventsFor = (requestId: string) =>
    t.db.query<SecurityEventRow>('SELECT * FROM audit_events WHERE request_id = $1', [requestId]);
  /** A problem document without what differs per request. */
  const shape = ({ requestId: _r, instance: _i, ...rest }: Record<string, unknown>) => rest;

  describe('refused keys', () => {
    it('answers malformed, revoked, expired and doubly presented keys with the same 401, and says which in a security event', async () => {
      const { secret } = await createKey('analyst');
      const revoked = await createKey('analyst');
      await (await t.as('admin')).delete(`/api-keys/${revoked.key.id}`).expect(204);
      const expiring = await createKey('analyst', { expiresAt: new Date(Date.now() + 1_500).toISOString() });
      await withKey(expiring.secret).get('/auth/session').expect(200);
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const badChecksum = `${secret.slice(0, -6)}${secret.slice(-6) === '000000' ? '000001' : '000000'}`;

      const cases: [string, Record<string, string>][] = [
        ['malformed', { 'X-API-Key': 'ck_live_nope' }],
        ['malformed', { Authorization: `Bearer ${badChecksum}` }],
        ['revoked', { 'X-API-Key': revoked.secret }],
        ['expired', { Authorization: `Bearer ${expiring.secret}` }],
        ['two-credentials', { 'X-API-Key': secret, Authorization: `Bearer ${secret}` }],
      ];
      const bodies: unknown[] = [];
      for (const [index, [reason, headers]] of cases.entries()) {
        const res = await t
          .http()
          .get('/auth/session')
          .set(headers)
          .set('x-request-id', `bad-key-${index}`)
          .expect(401);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        bodies.push(shape(res.body));
        const [event] = await eventsFor(`bad-key-${index}`);
        expect(event).toMatchObject({ action: 'auth.unauthenticated', outcome: 'denied', severity: 'warning' });
        expect(event.details).toMatchObject({ credential: 'api-key', reason });
      }
      expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
      expect(bodies[0]).toEqual({
        type: '/problems/unauthenticated',
        title: 'Unauthorized',
        status: 401,
        detail: 'A valid session token or API key is required.',
      });
      const [revokedEvent] = await eventsFor('bad-key-2');
      expect(revokedEvent.resource_id).toBe(revoked.key.id);
    });

    it('refuses a well-formed unknown key and a wrong secret for a known key alike', async () => {
      const { secret, key } = await createKey('analyst');
      const lookupId = secret.slice(8, 20);
      const wrongSecret = withChecksum(`ck_live_${lookupId}_${'A'.repeat(43)}`);
      const unknownKey = withChecksum(`ck_live_000000000000_${'A'.repeat(43)}`);
      const wrong = await withKey(wrongSecret).get('/auth/session').set('x-request-id', 'wrong-secret').expect(401);
      const unknown = await withKey(unknownKey).get('/auth/session').set('x-request-id', 'unknown-key').expect(401);
      expect(shape(wrong.body)).toEqual(shape(unknown.body));
      const [wrongEvent] = await eventsFor('wrong-secret');
      const [unknownEvent] = await eventsFor('unknown-key');
      expect(wrongEvent).toMatchObject({ resource_id: key.id, details: { reason: 'wrong-secret', lookupId } });
      expect(unknownEvent).toMatchObject({
        resource_id: null,
        details: { reason: 'unknown', lookupId: '000000000000' },
      });
      await withKey(secret).get('/auth/session').expect(200);
    });

    it('refuses a correct key used from outside its networks with 401 and a critical security event', async () => {
      const outside = await createKey('analyst', { allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'] });
      const inside = await createKey('analyst', { allowedCidrs: LOOPBACK_CIDRS });
      const refused = await withKey(outside.secret).get('/auth/session').set('x-request-id', 'outside').expect(401);
      expect(refused.body.type).toBe('/problems/unauthenticated');
      const [event] = await eventsFor('outside');
      expect(event).toMatchObject({ severity: 'critical', resource_id: outside.key.id });
      expect(event.details.reason).toBe('outside-allowed-cidrs');
      const accepted = await withKey(inside.secret).get('/auth/session').expect(200);
      expect(accepted.body.allowedCidrs).toEqual(LOOPBACK_CIDRS);
    });
  });

  describe('roles', () => {
    it('applies @Roles to keys as to sessions: a service key may not ingest, an analyst key may', async () => {
      const service = await createKey('service');
      const analyst = await createKey('analyst');
      const body = { records: [aRecord(), aRecord()] };
      const refused = await withKey(service.secret).post('/compliance/records/bulk').send(body).expect(403);
      expect(refused.body.type).toBe('/problems/forbidden');
      await withKey(analyst.secret).post('/compliance/records/bulk').send(body).expect(201);
    });

    it.each(['analyst', 'auditor', 'service'] as const)(
      'refuses key and user management to a %s key, recording auth.forbidden with the key as actor',
      async (role) => {
        const { secret, key } = await createKey(role);
        const victim = (await (await t.as('admin')).post('/users').send(aUser()).expect(201)).body.id as string;
        const attempts = [
          withKey(secret)
            .post('/api-keys')
            .send(anApiKey({ role: 'admin' })),
          withKey(secret).get('/api-keys'),
          withKey(secret).post(`/api-keys/${key.id}/rotate`).send({}),
          withKey(secret).delete(`/api-keys/${key.id}`),
          withKey(secret)
            .post('/users')
            .send(aUser({ role: 'admin' })),
          withKey(secret).post(`/users/${victim}/disable`),
          withKey(secret).patch(`/users/${victim}`).send({ role: 'admin' }),
          withKey(secret).post(`/admin/users/${victim}/sessions/revoke`),
        ];
        for (const attempt of attempts) {
          const res = await attempt.expect(403);
          expect(res.body.type).toBe('/problems/forbidden');
        }
        const forbidden = await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.forbidden' AND actor_id = $1`,
          [key.id],
        );
        // The PATCH is refused by the users controller itself, after the guard let the key in.
        expect(forbidden[0].n).toBe(attempts.length - 1);
        await withKey(secret).get('/auth/session').expect(200);
      },
    );

    it('lets an admin key manage keys and users, as the actor of its audit events', async () => {
      const admin = await createKey('admin');
      const made = await withKey(admin.secret)
        .post('/api-keys')
        .send(anApiKey({ role: 'service' }))
        .expect(201);
      expect(made.body.key.createdBy).toBe(admin.key.id);
      const user = await withKey(admin.secret).post('/users').send(aUser()).expect(201);
      await withKey(admin.secret).post(`/users/${user.body.id}/disable`).expect(200);
      await withKey(admin.secret).delete(`/api-keys/${made.body.key.id}`).expect(204);
      const actions = await t.db.query<{ action: string; details: Record<string, unknown> }>(
        `SELECT action, details FROM audit_events WHERE actor_id = $1 AND outcome = 'success' ORDER BY occurred_at, seq`,
        [admin.key.id],
      );
      expect(actions.map((a) => a.action)).toEqual([
        'api-key.created',
        'user.created',
        'user.disabled',
        'api-key.revoked',
      ]);
      expect(actions[0].details).toMatchObject({ actorKind: 'api-key', actorRole: 'admin', role: 'service' });
      expect(JSON.stringify(actions)).not.toContain(made.body.secret);
    });

    it('refuses keys on routes about the caller’s own sessions', async () => {
      const { secret } = await createKey('admin');
      await withKey(secret).post('/auth/logout').expect(403);
      await withKey(secret).post('/auth/logout-all').expect(403);
      await withKey(secret).get('/auth/sessions').expect(403);
      await withKey(secret).delete('/auth/sessions/0b0e9c8e-7f0f-4f8e-9d55-3c1c3f0b9a11').expect(403);
    });
  });

  describe('audit', () => {
    it('audits reads made with a key too, with the key as actor; reads with a session are not', async () => {
      const { secret, key } = await createKey('auditor');
      await withKey(secret).get('/compliance/records').set('x-request-id', 'key-read').expect(200);
      await (await t.as('auditor')).get('/compliance/records').set('x-request-id', 'session-read').expect(200);
      const [read] = await eventsFor('key-read');
      expect(read).toMatchObject({ actor_id: key.id, action: 'http.get', outcome: 'success' });
      expect(read.details).toMatchObject({
        method: 'GET',
        route: '/compliance/records',
        actorRole: 'auditor',
        actorKind: 'api-key',
      });
      // A key is no data subject: its origin stays under the audit data key, and it gets no subject key.
      const [row] = await t.db.query<{ ip: string }>(`SELECT ip FROM audit_events WHERE request_id = 'key-read'`);
      expect(row.ip).toMatch(/^v2:audit-\d{4}-\d{2}:/);
      expect(await t.db.query(`SELECT id FROM subject_keys WHERE id = $1`, [key.id])).toEqual([]);
      expect(await eventsFor('session-read')).toEqual([]);
    });
  });

  describe('management input', () => {
    it('refuses bad bodies with 400 naming each field, and unknown ids with 404', async () => {
      const admin = await t.as('admin');
      const bad = await admin
        .post('/api-keys')
        .send({ name: ' ', role: 'root', expiresAt: '2020-01-01', allowedCidrs: ['10.0.0.1/8', 'x'] })
        .expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
        ['allowedCidrs', 'expiresAt', 'name', 'role'].sort(),
      );
      const past = await admin
        .post('/api-keys')
        .send(anApiKey({ expiresAt: '2020-01-01T00:00:00Z' }))
        .expect(400);
      expect(past.body.errors).toEqual([{ field: 'expiresAt', messages: ['expiresAt must be in the future'] }]);
      await admin
        .post('/api-keys')
        .send(anApiKey({ allowedCidrs: Array.from({ length: 33 }, (_, i) => `10.${i}.0.0/16`) }))
        .expect(400);
      const { body } = await admin.post('/api-keys').send(anApiKey()).expect(201);
      await admin.post(`/api-keys/${body.key.id}/rotate`).send({ overlapSeconds: -1 }).expect(400);
      await admin.post(`/api-keys/${body.key.id}/rotate`).send({ overlapSeconds: 2_592_001 }).expect(400);
      for (const id of ['0b0e9c8e-7f0f-4f8e-9d55-3c1c3f0b9a11', 'not-a-uuid']) {
        await admin.get(`/api-keys/${id}`).expect(404);
        await admin.post(`/api-keys/${id}/rotate`).send({}).expect(404);
        await admin.delete(`/api-keys/${id}`).expect(404);
      }
    });

    it('stores networks as Postgres writes them', async () => {
      const admin = await t.as('admin');
      const { body } = await admin
        .post('/api-keys')
        .send(anApiKey({ allowedCidrs: ['2001:0db8:0000::/48', '198.51.100.0/24'] }))
        .expect(201);
      expect(body.key.allowedCidrs).toEqual(['2001:db8::/48', '198.51.100.0/24']);
    });
  });

  describe('OpenAPI', () => {
    it('declares both key schemes where keys are accepted, and only the session where they are not', async () => {
      const document = (await t.http().get('/docs-json').expect(200)).body;
      expect(document.components.securitySchemes.apiKey).toEqual(
        expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      );
      expect(document.paths['/compliance/records/bulk'].post.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
      expect(document.paths['/api-keys'].post.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
      expect(document.paths['/auth/logout'].post.security).toEqual([{ bearer: [] }]);
      expect(document.paths['/auth/logout'].post.responses['403']).toBeDefined();
    });
  });
});
