import { aRecord } from '../support/builders/compliance-record.builder';
import { startTestApp, TestApp } from '../support/app';

const fieldErrors = (body: { errors?: { field: string; messages: string[] }[] }) =>
  Object.fromEntries((body.errors ?? []).map((error) => [error.field, error.messages]));

describe('messages a first-time REST caller understands', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('says a missing search query is required, and nothing else about it', async () => {
    const res = await (await t.as('analyst')).get('/search').expect(400);
    expect(res.body.type).toBe('/problems/validation');
    expect(fieldErrors(res.body)).toEqual({ q: ['q is required'] });
  });

  it('says missing analytics dates are required, and a malformed one must be ISO 8601', async () => {
    const analyst = await t.as('analyst');
    const missing = await analyst.get('/compliance/analytics').expect(400);
    expect(fieldErrors(missing.body)).toEqual({ from: ['from is required'], to: ['to is required'] });
    const malformed = await analyst.get('/compliance/analytics?from=yesterday&to=2026-11-08T00:00:00Z').expect(400);
    expect(fieldErrors(malformed.body).from).toEqual([
      'from must be an ISO 8601 date-time with a time zone, e.g. 2026-11-01T00:00:00Z',
    ]);
  });

  it('lists the framework codes a record may use', async () => {
    const res = await (await t.as('auditor')).get('/compliance/frameworks').expect(200);
    expect(res.body.map((framework: { code: string }) => framework.code)).toEqual([
      'GDPR',
      'HIPAA',
      'ISO27001',
      'PCI-DSS',
      'SOC2',
    ]);
    expect(res.body[0]).toEqual({ code: 'GDPR', name: 'General Data Protection Regulation' });
  });

  it('accepts framework filters in any case', async () => {
    const analyst = await t.as('analyst');
    await analyst
      .post('/compliance/records')
      .send(aRecord({ framework: 'SOC2', entityId: 'case-test' }))
      .expect(201);
    const list = await analyst.get('/compliance/records?framework=soc2&entityId=case-test').expect(200);
    expect(list.body.items.map((record: { framework: string }) => record.framework)).toEqual(['SOC2']);
    await analyst
      .get('/compliance/analytics?framework=soc2&from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z')
      .expect(200);
  });

  it('points a malformed framework code at the list of codes', async () => {
    const analyst = await t.as('analyst');
    const filter = await analyst.get('/compliance/records?framework=not%20a%20code').expect(400);
    expect(fieldErrors(filter.body).framework).toEqual([
      'framework must be a framework code such as GDPR (GET /compliance/frameworks lists them)',
    ]);
    const body = await analyst
      .post('/compliance/records')
      .send(aRecord({ framework: 'gdpr' }))
      .expect(400);
    expect(fieldErrors(body.body).framework).toEqual([
      'framework must be an upper-case framework code such as GDPR (GET /compliance/frameworks lists them)',
    ]);
  });

  it('logs out with a JSON content type and no body', async () => {
    const user = await t.as('auditor');
    const res = await t
      .http()
      .post('/auth/logout')
      .set('Authorization', `Bearer ${user.token}`)
      .set('content-type', 'application/json');
    expect(res.status).toBe(204);
    await user.get('/auth/session').expect(401);
  });
});
