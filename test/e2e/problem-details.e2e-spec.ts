import { EchoFixtureModule } from '../support/echo.fixture.js';
import { startTestApp, TestApp } from '../support/app.js';

const PROBLEM = /^application\/problem\+json/;

describe('problem+json for bad input', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ HTTP_BODY_LIMIT_BYTES: '2048' }, [EchoFixtureModule]);
  });
  afterAll(() => t.close());

  it('accepts a valid body (the fixture route works)', async () => {
    const res = await t
      .http()
      .post('/test-echo')
      .send({ name: 'ok', items: [{ score: 5 }] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'ok', items: [{ score: 5 }] });
  });

  it('answers malformed JSON with 400', async () => {
    const res = await t.http().post('/test-echo').set('content-type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request', instance: '/test-echo' });
  });

  it('answers a body over the limit with 413', async () => {
    const res = await t
      .http()
      .post('/test-echo')
      .send({ name: 'x', items: [], padding: 'a'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.status).toBe(413);
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await t.http().post('/test-echo').set('content-type', 'application/xml').send('<name/>');
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(PROBLEM);
  });

  it('answers an unknown route with 404', async () => {
    const res = await t.http().get('/no/such/route?email=someone@example.com');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.instance).toBe('/no/such/route');
  });

  it('answers an over-long path parameter with 414, without echoing it', async () => {
    const res = await t.http().get(`/users/${'x'.repeat(500)}`);
    expect(res.status).toBe(414);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.text).not.toContain('xxxxxxxxxx');
  });

  it('lists every invalid field, nested ones by path', async () => {
    const res = await t
      .http()
      .post('/test-echo')
      .send({ name: 'n'.repeat(30), items: [{ score: 1 }, { score: 101 }] });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/problems/validation');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['name', 'items.1.score']);
  });

  it('rejects fields the DTO does not declare', async () => {
    const res = await t.http().post('/test-echo').send({ name: 'ok', items: [], isAdmin: true });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'isAdmin', messages: ['property isAdmin should not exist'] }]);
  });

  it('rejects a JSON body that is not an object', async () => {
    const res = await t.http().post('/test-echo').set('content-type', 'application/json').send('"just a string"');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
  });

  it('echoes a caller-supplied X-Request-Id and generates one otherwise', async () => {
    const given = await t.http().get('/health/live').set('x-request-id', 'trace-abc-123');
    expect(given.headers['x-request-id']).toBe('trace-abc-123');
    const generated = await t.http().get('/nope');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.body.requestId).toBe(generated.headers['x-request-id']);
  });

  it('replaces an unsafe X-Request-Id instead of echoing it', async () => {
    const res = await t.http().get('/health/live').set('x-request-id', 'bad id <script>');
    expect(res.headers['x-request-id']).not.toContain('script');
  });
});
