import fc from 'fast-check';
import type { Role } from '../../../src/common/auth/roles';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { aUser, type UserInput } from '../../support/builders/user.builder';
import { WRITE_FINGERPRINT_SQL } from '../../support/hostile-corpus';
import {
  type ApiDocument,
  encodeLoosely,
  type FuzzBody,
  type FuzzCase,
  type Operation,
  type Parameter,
  SchemaArbitraries,
} from './openapi-arbitraries';

/**
 * Property-based fuzzing of every operation of the OpenAPI document the app serves. CI runs a
 * fixed seed and a small count; `FUZZ_RUNS=2000 FUZZ_SEED=<n>` runs a long campaign (seed and
 * count of each failure are printed by fast-check, so it replays exactly).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const CALLERS = ['admin', 'admin', 'admin', 'analyst', 'auditor', 'service', 'anonymous'] as const;
/** Operations that end the caller's session when they succeed: the caller logs in again after. */
const ENDS_SESSION = new Set(['post /auth/logout', 'post /auth/logout-all']);

interface Outcome {
  status: number;
  contentType: string;
  type?: string;
}

describe('OpenAPI-driven fuzzing: no 5xx, problem+json on every 4xx, nothing written when refused', () => {
  let t: TestApp;
  let document: ApiDocument;
  let arbitraries: SchemaArbitraries;
  const credentials = new Map<Role, UserInput>();
  const tokens = new Map<Role, string>();
  const statuses = new Map<number, number>();
  let cases = 0;
  const started = Date.now();

  const fingerprint = async () => JSON.stringify((await t.db.query(WRITE_FINGERPRINT_SQL))[0]);

  /** Through the injector, like every fuzzed request: a session is bound to the client headers it logged in with. */
  async function logIn(role: Role): Promise<void> {
    const input = credentials.get(role) as UserInput;
    const res = await t.app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'POST', url: '/auth/login', payload: { email: input.email, password: input.password } });
    if (res.statusCode !== 200) throw new Error(`login as ${role}: ${res.statusCode}`);
    tokens.set(role, res.json<{ token: string }>().token);
  }

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '1000000', OUTBOX_POLL_INTERVAL_MS: '200' });
    const admin = await t.as('admin');
    for (const role of ['admin', 'analyst', 'auditor', 'service'] as Role[]) {
      const input = aUser({ role });
      await admin.post('/users').send(input).expect(201);
      credentials.set(role, input);
      await logIn(role);
    }
    const analyst = await t.as('analyst');
    const records: string[] = [];
    for (let i = 0; i < 4; i++)
      records.push((await analyst.post('/compliance/records').send(aRecord()).expect(201)).body.id);
    // Users the fuzzer may disable, revoke or edit: never the callers themselves.
    const users: string[] = [];
    for (let i = 0; i < 3; i++)
      users.push(
        (
          await admin
            .post('/users')
            .send(aUser({ role: 'service' }))
            .expect(201)
        ).body.id,
      );
    const reindex = await admin.post('/admin/search/reindex?index=compliance').expect(202);
    document = (await t.http().get('/docs-json').expect(200)).body as ApiDocument;
    arbitraries = new SchemaArbitraries(document, {
      id: [...records, ...users, reindex.body.id],
      keyId: ['k1', 'k2', 'nope'],
    });
  }, 120_000);

  afterAll(async () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const byStatus = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    process.stdout.write(
      `openapi fuzz: ${cases} cases, seed ${SEED}, ${RUNS} runs per operation, ${seconds} s; ${byStatus}\n`,
    );
    await t.close();
  });

  function caseFor(path: string, method: string, operation: Operation): fc.Arbitrary<FuzzCase> {
    const parameters = operation.parameters ?? [];
    const inPath = parameters.filter((p) => p.in === 'path');
    const inQuery = parameters.filter((p) => p.in === 'query');
    const inHeader = parameters.filter((p) => p.in === 'header');
    const schema = operation.requestBody?.content?.['application/json']?.schema;
    const pathArb = fc
      .tuple(...inPath.map((p) => arbitraries.pathValue(p)))
      .map((values) =>
        inPath.reduce((url, p: Parameter, i) => url.replace(`{${p.name}}`, encodeLoosely(values[i])), path),
      );
    const headerArb = fc
      .tuple(
        ...inHeader.map(() => fc.option(fc.constantFrom('"1"', 'W/"2"', '"9999999999"', '*', 'x', 'de-CH, en;q=0.5'))),
      )
      .map((values) =>
        Object.fromEntries(inHeader.flatMap((p, i) => (values[i] === null ? [] : [[p.name.toLowerCase(), values[i]]]))),
      );
    // Bodies on every method Fastify parses one for, documented or not (the body limit and 415 apply).
    const bodyArb: fc.Arbitrary<FuzzBody | undefined> =
      method === 'get'
        ? fc.constant(undefined)
        : schema
          ? arbitraries.body(schema)
          : fc.option(arbitraries.body({ type: 'object' }), { freq: 4 }).map((b) => b ?? undefined);
    return fc
      .record({
        caller: fc.constantFrom(...CALLERS),
        path: pathArb,
        query: arbitraries.query(inQuery),
        headers: headerArb as fc.Arbitrary<Record<string, string>>,
        body: bodyArb,
      })
      .map(({ query, body, ...rest }) => {
        const nullBody = schema && body?.label === 'literal null' ? 'a null body' : undefined;
        return { ...rest, query: query.text, body, mustRefuse: query.mustRefuse ?? body?.mustRefuse ?? nullBody };
      });
  }

  async function send(method: string, fuzz: FuzzCase): Promise<Outcome> {
    const headers: Record<string, string> = { ...fuzz.headers };
    if (fuzz.caller !== 'anonymous') headers.authorization = `Bearer ${tokens.get(fuzz.caller as Role)}`;
    const withBody = fuzz.body !== undefined;
    if (withBody) headers['content-type'] = fuzz.body!.contentType;
    const res = await t.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: method.toUpperCase() as 'GET',
        url: `${fuzz.path}${fuzz.query}`,
        headers,
        payload: withBody ? fuzz.body!.payload : undefined,
      });
    const contentType = String(res.headers['content-type'] ?? '');
    let type: string | undefined;
    if (contentType.startsWith('application/problem+json')) type = (res.json() as { type?: string }).type;
    return { status: res.statusCode, contentType, type };
  }

  const operations = () =>
    Object.entries(JSON.parse(JSON.stringify(documentForListing())) as ApiDocument['paths']).flatMap(([path, item]) =>
      Object.keys(item).map((method) => [method, path] as [string, string]),
    );

  it('fuzzes every operation of the served document', async () => {
    const listed = operations();
    expect(listed.length).toBeGreaterThan(30);
    for (const [index, [method, path]] of listed.entries()) {
      const operation = document.paths[path][method];
      const label = `${method} ${path}`;
      await fc.assert(
        fc.asyncProperty(caseFor(path, method, operation), async (fuzz) => {
          cases++;
          const before = await fingerprint();
          const outcome = await send(method, fuzz);
          statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
          const where = `${label} as ${fuzz.caller}: ${fuzz.path}${fuzz.query} ${fuzz.body?.label ?? ''}`;
          if (outcome.status >= 500) throw new Error(`${outcome.status} for ${where}`);
          if (fuzz.mustRefuse && outcome.status < 400) {
            throw new Error(`${outcome.status}: accepted ${fuzz.mustRefuse} for ${where}`);
          }
          if (outcome.status >= 400) {
            if (
              !outcome.contentType.startsWith('application/problem+json') ||
              !/^\/problems\/[a-z-]+$/.test(outcome.type ?? '')
            ) {
              throw new Error(
                `${outcome.status} without a typed problem document (${outcome.contentType}) for ${where}`,
              );
            }
            const after = await fingerprint();
            if (after !== before)
              throw new Error(`refused with ${outcome.status} but wrote: ${before} → ${after} for ${where}`);
          } else if (ENDS_SESSION.has(label) && fuzz.caller !== 'anonymous') {
            await logIn(fuzz.caller as Role);
          }
        }),
        { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
      );
    }
    const violations = t.conformance.takeViolations();
    expect(violations).toEqual([]);
  }, 600_000);

  function documentForListing(): ApiDocument['paths'] {
    return document.paths;
  }
});
