import { adminQuery } from '../support/database';
import { startTestApp, TestApp } from '../support/app';
import { ConformanceFixtureModule } from '../support/openapi-conformance.fixture';
import { PROBLEMS } from '../support/openapi-responses';

/** close()'s error message; a suite run in report mode must not turn this test's failure into a printout. */
async function closeEnforcing(app: TestApp): Promise<string | undefined> {
  const mode = process.env.OPENAPI_CONFORMANCE;
  delete process.env.OPENAPI_CONFORMANCE;
  try {
    await app.close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    if (mode !== undefined) process.env.OPENAPI_CONFORMANCE = mode;
  }
}

describe('responses checked against the OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, [ConformanceFixtureModule]);
  });
  afterAll(() => t.close());

  it('accepts a response that keeps its documented schema (path parameter, null and $ref included)', async () => {
    await t.http().get('/test-conformance/tallies/apples').expect(200);
    expect(t.conformance.takeViolations()).toEqual([]);
  });

  it('names the field where a body breaks its documented schema', async () => {
    await t.http().get('/test-conformance/tallies/apples/miscounted?token=s3cret').expect(200);
    expect(t.conformance.takeViolations()).toEqual([
      {
        operation: 'GET /test-conformance/tallies/{name}/miscounted',
        url: '/test-conformance/tallies/apples/miscounted',
        status: 200,
        contentType: 'application/json',
        problem: PROBLEMS.schema,
        errors: ['/count must be integer'],
      },
    ]);
  });

  it('flags a status the operation does not document', async () => {
    await t.http().get('/test-conformance/tallies/apples/locked').expect(409);
    expect(t.conformance.takeViolations()).toEqual([
      {
        operation: 'GET /test-conformance/tallies/{name}/locked',
        url: '/test-conformance/tallies/apples/locked',
        status: 409,
        contentType: 'application/problem+json',
        problem: PROBLEMS.status,
        errors: [],
      },
    ]);
  });

  it('fails close() with the list of violations, after closing the app and dropping its database', async () => {
    const broken = await startTestApp({}, [ConformanceFixtureModule]);
    await broken.http().get('/test-conformance/tallies/pears/miscounted?token=s3cret').expect(200);
    await broken.http().get('/test-conformance/tallies/pears/miscounted').expect(200);
    await broken.http().get('/test-conformance/tallies/pears/locked').expect(409);

    const message = await closeEnforcing(broken);

    expect(message).toContain('3 responses broke the OpenAPI document');
    expect(message).toContain(
      `2× GET /test-conformance/tallies/{name}/miscounted → 200 application/json: ${PROBLEMS.schema} [/count must be integer]`,
    );
    expect(message).toContain(`1× GET /test-conformance/tallies/{name}/locked → 409 application/problem+json`);
    expect(message).not.toContain('s3cret');
    expect(await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [broken.db.name])).toEqual([]);
  });
});
