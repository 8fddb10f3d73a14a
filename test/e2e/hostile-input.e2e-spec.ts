import { startTestApp, TestApp, type AuthenticatedAgent } from '../support/app';
import { aRecord } from '../support/builders/compliance-record.builder';
import { aUser } from '../support/builders/user.builder';
import {
  HUGE_NUMBERS,
  INVALID_UTF8,
  jsonWithBytes,
  OUT_OF_RANGE_DATES,
  PROTOTYPE_KEYS,
  WRITE_FINGERPRINT_SQL,
} from '../support/hostile-corpus';

interface ProblemBody {
  type?: string;
  detail?: string;
  errors?: { field: string; messages: string[] }[];
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const q = encodeURIComponent;

/**
 * Issue 15, sections 1 and 2: each input the outside drill answered with a 500, or accepted
 * although it must be refused, sent as the drill sent it. Every one is a 4xx problem document,
 * and none of them writes anything.
 */
describe('hostile input: refused with a 4xx, never a 500, and nothing written', () => {
  let t: TestApp;
  let admin: AuthenticatedAgent;
  let analyst: AuthenticatedAgent;
  let auditor: AuthenticatedAgent;
  let recordId: string;
  let userId: string;

  const fingerprint = async () => (await t.db.query(WRITE_FINGERPRINT_SQL))[0];

  /** Sends, expects `status` as a problem document, and checks that no domain row changed. */
  async function refused(
    send: () => PromiseLike<{ status: number; headers: Record<string, string>; body: ProblemBody }>,
    status = 400,
  ): Promise<{ body: ProblemBody }> {
    const before = await fingerprint();
    const res = await send();
    expect({ status: res.status, type: res.body.type }).toMatchObject({ status });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toMatch(/^\/problems\/[a-z-]+$/);
    expect(await fingerprint()).toEqual(before);
    return res;
  }

  beforeAll(async () => {
    t = await startTestApp();
    [admin, analyst, auditor] = await Promise.all([t.as('admin'), t.as('analyst'), t.as('auditor')]);
    recordId = (await analyst.post('/compliance/records').send(aRecord()).expect(201)).body.id;
    userId = (
      await admin
        .post('/users')
        .send(aUser({ role: 'analyst' }))
        .expect(201)
    ).body.id;
  });
  afterAll(() => t.close());

  describe('1. dates outside Postgres range', () => {
    const ranges = ['from', 'to'];
    it.each(OUT_OF_RANGE_DATES)('refuses %s in from/to of the audit routes and the record filters', async (date) => {
      for (const route of ['/audit/events', '/audit/events/export', '/audit/verify']) {
        for (const name of ranges) {
          const res = await refused(() => auditor.get(`${route}?${name}=${q(date)}`));
          expect(res.body).toMatchObject({ type: '/problems/validation', errors: [{ field: name }] });
        }
      }
      for (const name of ['assessedFrom', 'assessedTo']) {
        await refused(() => analyst.get(`/compliance/records?${name}=${q(date)}`));
      }
    });

    it.each(OUT_OF_RANGE_DATES)('refuses %s as assessedAt on POST, bulk and PATCH alike', async (assessedAt) => {
      const single = await refused(() => analyst.post('/compliance/records').send(aRecord({ assessedAt })));
      const bulk = await refused(() =>
        analyst.post('/compliance/records/bulk').send({ records: [aRecord(), aRecord({ assessedAt })] }),
      );
      expect(bulk.body.errors).toEqual(
        (single.body.errors as { field: string }[]).map((e) => ({ ...e, field: `records.1.${e.field}` })),
      );
      await refused(() => analyst.patch(`/compliance/records/${recordId}`).send({ version: 1, assessedAt }));
    });
  });

  describe('1. NUL in a query value', () => {
    const routes: [string, string[], AuthenticatedAgentName][] = [
      ['/audit/events', ['actor', 'action', 'resourceType', 'resourceId'], 'auditor'],
      ['/compliance/records', ['entityId'], 'analyst'],
      ['/search?q=x', ['q', 'framework', 'status', 'entityId'], 'analyst'],
      ['/search/suggest?index=compliance', ['q'], 'analyst'],
    ];
    it.each(routes)('refuses %%00 in %s (%j)', async (route, names, role) => {
      const agent = role === 'auditor' ? auditor : analyst;
      const join = route.includes('?') ? '&' : '?';
      for (const name of names) {
        for (const value of ['%00', 'a%00b']) {
          const url = `${route}${join}${name}=${value}`.replace(/([?&])q=x&q=/, '$1q=');
          const res = await refused(() => agent.get(url));
          expect(res.body.errors).toEqual([{ field: name, messages: [`${name} must not contain the NUL character`] }]);
        }
      }
    });
  });

  describe('1. cursors that decode but hold nonsense', () => {
    const at = '2026-11-24 10:15:00.123456+00';
    it.each([
      ['an impossible time', { at: '2026-13-45 99:99:99+00', shard: 0, seq: 1 }],
      ['shard 1e300', { at, shard: 1e300, seq: 1 }],
      ['shard 99999', { at, shard: 99999, seq: 1 }],
      ['a negative shard', { at, shard: -1, seq: 1 }],
      ['seq 2^63', { at, shard: 0, seq: 2 ** 63 }],
      ['seq 1.5', { at, shard: 0, seq: 1.5 }],
      ['seq as text', { at, shard: 0, seq: '1' }],
      ['no fields', {}],
      ['null', null],
    ])('refuses an audit cursor with %s as invalid-cursor', async (_name, key) => {
      const res = await refused(() => auditor.get(`/audit/events?cursor=${b64(key)}`));
      expect(res.body.type).toBe('/problems/invalid-cursor');
    });

    it('refuses an audit cursor that is not base64url', async () => {
      const res = await refused(() => auditor.get(`/audit/events?cursor=${q('eyJ+/=')}`));
      expect(res.body.type).toBe('/problems/invalid-cursor');
    });

    it.each([
      ['an impossible timestamp', ['createdAt', 'desc', '2026-13-45 99:99:99+00']],
      ['February 30', ['createdAt', 'desc', '2026-02-30 10:00:00+00']],
      ['a score over the column', ['score', 'desc', '999']],
    ])('refuses a records cursor with %s', async (_name, [sort, order, value]) => {
      const cursor = b64([sort, order, value, '6f1c2d9e-1b7a-4a43-9a55-0d7c3c1f0e21']);
      const res = await refused(() => analyst.get(`/compliance/records?sort=${sort}&order=${order}&cursor=${cursor}`));
      expect(res.body.errors).toEqual([{ field: 'cursor', messages: [expect.stringMatching(/cursor/)] }]);
    });
  });

  describe('1. numbers beyond the column', () => {
    it.each(['1e308', '99999999999999999999999', '2147483648', '1e3', '0x10', ''])(
      'refuses GET /users?page=%s',
      async (page) => {
        const res = await refused(() => admin.get(`/users?page=${page}`));
        expect(res.body.errors).toEqual([{ field: 'page', messages: expect.any(Array) }]);
      },
    );

    it.each(HUGE_NUMBERS)('refuses the record version %s in a PATCH body', async (version) => {
      const res = await refused(() =>
        analyst
          .patch(`/compliance/records/${recordId}`)
          .set('content-type', 'application/json')
          .send(`{"status":"failed","version":${version}}`),
      );
      expect(res.body.errors).toEqual([{ field: 'version', messages: expect.any(Array) }]);
    });

    it('still reads an ordinary page', async () => {
      await admin.get('/users?page=2&pageSize=1').expect(200);
    });
  });

  describe('1 and 2. explicit null in a PATCH', () => {
    it.each(['email', 'password', 'role'])('refuses null as the user %s', async (field) => {
      const res = await refused(() => admin.patch(`/users/${userId}`).send({ [field]: null }));
      expect(res.body.errors).toEqual([{ field, messages: [`${field} must not be null`] }]);
    });

    it.each(['entityId', 'framework', 'controlId', 'details', 'status', 'score', 'assessedAt'])(
      'refuses null as the record %s',
      async (field) => {
        const res = await refused(() =>
          analyst.patch(`/compliance/records/${recordId}`).send({ version: 1, [field]: null }),
        );
        expect(res.body.errors).toEqual([{ field, messages: [`${field} must not be null`] }]);
      },
    );

    it('still clears a nullable field with null', async () => {
      const user = await admin.patch(`/users/${userId}`).send({ phone: null }).expect(200);
      expect(user.body.phone).toBeNull();
    });

    it.each([
      ['users', () => `/users/${userId}`],
      ['records', () => `/compliance/records/${recordId}`],
    ])('refuses a body of null on PATCH %s', async (_name, url) => {
      const agent = url().startsWith('/users') ? admin : analyst;
      const res = await refused(() =>
        agent.patch(url()).set('content-type', 'application/json').set('if-match', '"1"').send('null'),
      );
      expect(res.body.errors).toEqual([{ field: 'body', messages: ['the body must be a JSON object'] }]);
    });
  });

  describe('2. invalid UTF-8 inside JSON strings', () => {
    /** Byte for byte (supertest would serialize a Buffer as JSON). */
    const raw = async (agent: AuthenticatedAgent, method: 'post' | 'patch', url: string, payload: Buffer) => {
      const res = await t.app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method: method.toUpperCase() as 'POST',
          url,
          payload,
          headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json', 'if-match': '"1"' },
        });
      return { status: res.statusCode, headers: res.headers as Record<string, string>, body: res.json() };
    };

    it.each(INVALID_UTF8)('refuses $name in every user and record text field', async ({ bytes }) => {
      const user = aUser({ role: 'analyst' });
      for (const field of ['address', 'displayName']) {
        const { [field as keyof typeof user]: _omitted, ...rest } = user;
        await refused(() => raw(admin, 'post', '/users', jsonWithBytes(field, bytes, rest)));
        await refused(() => raw(admin, 'patch', `/users/${userId}`, jsonWithBytes(field, bytes)));
      }
      for (const field of ['entityId', 'controlId', 'evidenceNotes']) {
        const { [field as 'entityId']: _omitted, ...rest } = aRecord();
        const single = jsonWithBytes(field, bytes, rest);
        await refused(() => raw(analyst, 'post', '/compliance/records', single));
        const bulk = Buffer.concat([Buffer.from('{"records":['), single, Buffer.from(']}')]);
        await refused(() => raw(analyst, 'post', '/compliance/records/bulk', bulk));
        const res = await refused(() =>
          raw(analyst, 'patch', `/compliance/records/${recordId}`, jsonWithBytes(field, bytes)),
        );
        expect(res.body).toMatchObject({ type: '/problems/malformed-body', detail: 'the body is not valid UTF-8' });
      }
    });
  });

  describe('2. prototype keys in the query string', () => {
    const routes: [string, AuthenticatedAgentName][] = [
      ['/users', 'admin'],
      ['/compliance/records', 'analyst'],
      ['/audit/events', 'auditor'],
      ['/audit/events/export', 'auditor'],
      ['/audit/verify', 'auditor'],
      ['/search?q=x', 'analyst'],
      ['/search/suggest?q=x', 'analyst'],
      ['/compliance/analytics?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z', 'analyst'],
    ];
    it.each(PROTOTYPE_KEYS)('refuses ?%s=1 like any unknown parameter', async (key) => {
      for (const [route, role] of routes) {
        const agent = { admin, analyst, auditor }[role as 'admin'];
        const join = route.includes('?') ? '&' : '?';
        const res = await refused(() => agent.get(`${route}${join}${key}=1`));
        expect(res.body.errors).toEqual([{ field: key, messages: [`property ${key} should not exist`] }]);
      }
    });

    it.each(PROTOTYPE_KEYS)('starts no reindex for POST /admin/search/reindex?index=users&%s=1', async (key) => {
      await refused(() => admin.post(`/admin/search/reindex?index=users&${key}=1`));
    });
  });

  describe('2. dates that are not ISO 8601 with a time zone', () => {
    it.each(['%0d%0aX-Injected:%201', '2001', '2026-11-01', 'yesterday', '1700000000000'])(
      'refuses from=%s',
      async (from) => {
        await refused(() => auditor.get(`/audit/events?from=${from}`));
      },
    );

    it('refuses epoch milliseconds as assessedAt on POST, bulk and PATCH', async () => {
      const assessedAt = 1700000000000 as unknown as string;
      await refused(() => analyst.post('/compliance/records').send(aRecord({ assessedAt })));
      await refused(() => analyst.post('/compliance/records/bulk').send({ records: [aRecord({ assessedAt })] }));
      await refused(() => analyst.patch(`/compliance/records/${recordId}`).send({ version: 1, assessedAt }));
    });
  });

  describe('2. bodies that are not application/json', () => {
    it('answers 415 to a form-encoded login and logs no one in', async () => {
      const user = aUser({ role: 'analyst' });
      await admin.post('/users').send(user).expect(201);
      const form = `email=${q(user.email)}&password=${q(user.password)}`;
      const res = await refused(
        () => t.http().post('/auth/login').set('content-type', 'application/x-www-form-urlencoded').send(form),
        415,
      );
      expect(res.body.type).toBe('/problems/unsupported-media-type');
      await t.http().post('/auth/login').send({ email: user.email, password: user.password }).expect(200);
    });

    it.each(['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x'])(
      'answers 415 to a %s PATCH of a user and changes nothing',
      async (type) => {
        const body = type === 'text/plain' ? '{"displayName":"changed"}' : 'displayName=changed';
        await refused(() => admin.patch(`/users/${userId}`).set('content-type', type).send(body), 415);
      },
    );
  });
});

type AuthenticatedAgentName = 'admin' | 'analyst' | 'auditor';
