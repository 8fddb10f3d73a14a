import { randomUUID } from 'node:crypto';
import { complianceKitClient, type ComplianceKitClient, listenOnLoopback } from '../client/compliance-kit-client';
import { PRISM_PROBLEM_TYPE, prismViolations, type PrismProxy, startPrismProxy } from '../client/prism-proxy';
import { aRecordBody, createCaller, type Credentials, expectStatus, logIn, walkRestPath } from '../client/rest-walk';
import { startTestApp, TestApp } from '../support/app';

/** The `type` of the problem document an error answer carries (the app's or Prism's). */
const problemType = (answer: { error?: unknown }) => (answer.error as { type?: string } | undefined)?.type;

/** The app answered (not Prism) with this status and problem type. */
function expectProblem(answer: { error?: unknown; response: Response }, status: number, type: string): void {
  expect({ status: answer.response.status, type: problemType(answer) }).toEqual({ status, type: `/problems/${type}` });
}

/*
 * Every exchange goes client → Prism → app and back; Prism checks each request and response
 * against the committed openapi.json, so a route answering something its document does not
 * describe fails here even when the app's own tests are happy.
 */
describe('the app behind Prism validating openapi.json', () => {
  let t: TestApp;
  let prism: PrismProxy;
  let admin: Credentials;
  // Each test asserts it empty, so a failure shows what Prism reported (rule, location, message).
  const violations = prismViolations();
  const through = (credentials: Credentials) => logIn(prism.baseUrl, credentials, [violations.middleware]);
  const newRecord = async (api: ComplianceKitClient) =>
    expectStatus(await api.POST('/compliance/records', { body: aRecordBody(`prism-${randomUUID()}`) }), 201);

  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '200' });
    admin = await createCaller(t.app, 'admin');
    prism = await startPrismProxy(await listenOnLoopback(t.app));
    // Printed with the test output: whether this file suits CI depends on it.
    process.stdout.write(`Prism proxy listening after ${prism.startupMs} ms\n`);
  });
  afterAll(async () => {
    await prism?.stop();
    await t.close();
  });
  beforeEach(() => {
    violations.found.length = 0;
  });

  it('passes the whole REST path with no violation in either direction', async () => {
    await walkRestPath(prism.baseUrl, admin, [violations.middleware]);
    expect(violations.found).toEqual([]);
  });

  describe('error answers are the documented ones', () => {
    it('400 for a framework code the frameworks table does not have', async () => {
      const api = await through(admin);
      const answer = await api.POST('/compliance/records', { body: aRecordBody('prism-400', { framework: 'NOPE' }) });
      expectProblem(answer, 400, 'validation');
      expect(violations.found).toEqual([]);
    });

    it('401 for a bearer token that is no session', async () => {
      const api = complianceKitClient(prism.baseUrl, {
        token: 'not-a-session-token',
        middleware: [violations.middleware],
      });
      expectProblem(await api.GET('/compliance/records'), 401, 'unauthenticated');
      expect(violations.found).toEqual([]);
    });

    it('403 for an auditor creating a record', async () => {
      const api = await through(await createCaller(t.app, 'auditor'));
      expectProblem(await api.POST('/compliance/records', { body: aRecordBody('prism-403') }), 403, 'forbidden');
      expect(violations.found).toEqual([]);
    });

    it('404 for a record id that does not exist', async () => {
      const api = await through(admin);
      const answer = await api.GET('/compliance/records/{id}', { params: { path: { id: randomUUID() } } });
      expectProblem(answer, 404, 'not-found');
      expect(violations.found).toEqual([]);
    });

    it('409 for an If-Match that a change made stale', async () => {
      const api = await through(admin);
      const { id } = await newRecord(api);
      const update = (score: number) =>
        api.PATCH('/compliance/records/{id}', {
          params: { path: { id }, header: { 'If-Match': '"1"' } },
          body: { score },
        });
      expectStatus(await update(50), 200);
      expectProblem(await update(60), 409, 'version-conflict');
      expect(violations.found).toEqual([]);
    });

    it('428 for a PATCH without If-Match or body.version', async () => {
      const api = await through(admin);
      const { id } = await newRecord(api);
      const answer = await api.PATCH('/compliance/records/{id}', { params: { path: { id } }, body: { score: 50 } });
      expectProblem(answer, 428, 'precondition-required');
      expect(violations.found).toEqual([]);
    });
  });

  it('does report a request that breaks the document, so the checks above can fail', async () => {
    const api = await through(admin);
    const answer = await api.POST('/compliance/records', { body: aRecordBody('prism-422', { score: 101 }) });
    expect(answer.response.status).toBe(422);
    expect(problemType(answer)).toBe(`${PRISM_PROBLEM_TYPE}UNPROCESSABLE_ENTITY`);
    expect(violations.found).toEqual([expect.objectContaining({ request: 'POST /compliance/records', status: 422 })]);
  });
});
