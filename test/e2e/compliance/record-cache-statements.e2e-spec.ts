import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../../src/common/auth/roles';
import { QueryObserver } from '../../../src/infrastructure/database/query-observer';
import { UsersService } from '../../../src/modules/users/users.service';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { aUser } from '../../support/builders/user.builder';

/**
 * Statements are attributed to a request by running it through Fastify's injector inside an
 * AsyncLocalStorage context: every statement sent while the request is handled, and nothing the
 * background jobs send meanwhile, is counted.
 */
describe('GET /compliance/records/:id served from the cache', () => {
  let t: TestApp;
  const request = new AsyncLocalStorage<string[]>();
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    t = await startTestApp();
    const observer = t.app.get(QueryObserver);
    const start = observer.start.bind(observer);
    jest.spyOn(observer, 'start').mockImplementation((text, target) => {
      request.getStore()?.push(text);
      return start(text, target);
    });
  });
  afterAll(() => t.close());

  const fastify = () => t.app.getHttpAdapter().getInstance() as FastifyInstance;
  async function token(role: Role): Promise<string> {
    if (!tokens.has(role)) {
      const input = aUser({ role });
      await t.app.get(UsersService).create(input);
      const res = await fastify().inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: input.email, password: input.password },
      });
      tokens.set(role, res.json<{ token: string }>().token);
    }
    return tokens.get(role) as string;
  }

  /** The response and the SQL statements sent while it was handled. */
  async function traced(role: Role, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers = {}) {
    const authorization = `Bearer ${await token(role)}`;
    const statements: string[] = [];
    // The callback form starts the request inside the context (awaiting the injector's thenable may not).
    const response = await request.run(
      statements,
      () =>
        new Promise<LightMyRequestResponse>((resolve, reject) =>
          fastify().inject({ method, url, payload, headers: { authorization, ...headers } }, (error, res) =>
            error ? reject(error) : resolve(res as LightMyRequestResponse),
          ),
        ),
    );
    return { response, statements };
  }

  async function aCreatedRecord(): Promise<{ id: string; version: number }> {
    const { response } = await traced('analyst', 'POST', '/compliance/records', {
      ...aRecord(),
      evidenceNotes: 'Seen.',
    });
    expect(response.statusCode).toBe(201);
    return response.json();
  }

  it('sends no statement to Postgres on a hit, while the miss before it does', async () => {
    const { id } = await aCreatedRecord();
    const miss = await traced('auditor', 'GET', `/compliance/records/${id}`);
    expect(miss.response.statusCode).toBe(200);
    expect(miss.statements.some((text) => /FROM "?compliance_records"?/.test(text))).toBe(true);

    const hit = await traced('auditor', 'GET', `/compliance/records/${id}`);
    expect(hit.response.statusCode).toBe(200);
    expect(hit.statements).toEqual([]);
    expect(hit.response.json()).toEqual(miss.response.json());
    expect(hit.response.json()).toMatchObject({ id, evidenceNotes: 'Seen.', version: 1 });
    expect(hit.response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(hit.response.headers.etag).toBe('"1"');
  });

  it('still refuses a role without read access to a cached record', async () => {
    const { id } = await aCreatedRecord();
    expect((await traced('analyst', 'GET', `/compliance/records/${id}`)).response.statusCode).toBe(200);
    const refused = await traced('service', 'GET', `/compliance/records/${id}`);
    expect(refused.response.statusCode).toBe(403);
    expect(refused.response.body).not.toContain('Seen.');
  });

  it('answers a hit in full even with If-None-Match: the ETag names the version, which is for If-Match', async () => {
    const { id } = await aCreatedRecord();
    await traced('analyst', 'GET', `/compliance/records/${id}`);
    const hit = await traced('analyst', 'GET', `/compliance/records/${id}`, undefined, { 'if-none-match': '"1"' });
    expect(hit.response.statusCode).toBe(200);
    expect(hit.response.json().id).toBe(id);
  });

  it('reads its own writes: an update, then a delete, replaces the cached view at once', async () => {
    const { id } = await aCreatedRecord();
    await traced('analyst', 'GET', `/compliance/records/${id}`);
    const patched = await traced('analyst', 'PATCH', `/compliance/records/${id}`, { score: 11 }, { 'if-match': '"1"' });
    expect(patched.response.statusCode).toBe(200);
    const read = await traced('analyst', 'GET', `/compliance/records/${id}`);
    expect(read.response.json()).toMatchObject({ score: 11, version: 2 });
    expect(read.response.headers.etag).toBe('"2"');
    const removed = await fastify().inject({
      method: 'DELETE',
      url: `/compliance/records/${id}`,
      headers: { authorization: `Bearer ${await token('analyst')}` },
    });
    expect(removed.statusCode).toBe(204);
    expect((await traced('analyst', 'GET', `/compliance/records/${id}`)).response.statusCode).toBe(404);
  });
});
