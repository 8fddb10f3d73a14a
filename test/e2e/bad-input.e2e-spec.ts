import { request as httpRequest } from 'node:http';
import { EchoFixtureModule } from '../support/echo.fixture.js';
import { HOSTILE_BODIES, HOSTILE_VALUES } from '../support/hostile-corpus.js';
import { startTestApp, TestApp } from '../support/app.js';

interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header' }[];
}
type Paths = Record<string, Record<string, Operation>>;
interface Outcome {
  label: string;
  status: number;
  contentType: string;
  /** The problem document's `type`, for problem+json answers. */
  problemType?: string;
}

const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/** Raw HTTP so paths reach the server byte for byte (no URL normalisation of `..`). */
function send(base: URL, method: string, path: string, body?: string, contentType = 'application/json') {
  return new Promise<Omit<Outcome, 'label'>>((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (body !== undefined)
      Object.assign(headers, { 'content-type': contentType, 'content-length': Buffer.byteLength(body, 'latin1') });
    const req = httpRequest(
      { host: base.hostname, port: base.port, method: method.toUpperCase(), path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const contentType = String(res.headers['content-type'] ?? '');
          const problemType = contentType.startsWith('application/problem+json')
            ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string }).type
            : undefined;
          resolve({ status: res.statusCode ?? 0, contentType, problemType });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (error) =>
      reject(new Error(`${method} ${path.slice(0, 60)} ${(body ?? '').slice(0, 30)}: ${error.message}`)),
    );
    req.end(body === undefined ? undefined : Buffer.from(body, 'latin1'));
  });
}

/** Fills `{param}` segments with `value`, percent-encoded (and once raw when it is a traversal). */
function pathsFor(template: string, value: string): string[] {
  if (!template.includes('{')) return [];
  const encoded = template.replace(/\{[^}]+\}/g, encodeURIComponent(value));
  return /^[\x21-\x7e]+$/.test(value) && value.includes('/')
    ? [encoded, template.replace(/\{[^}]+\}/g, value)]
    : [encoded];
}

describe('bad-input drill: hostile requests to every route in the OpenAPI document', () => {
  let t: TestApp;
  let base: URL;
  let paths: Paths;
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    // The echo fixture adds a route with a validated body until real ones exist.
    t = await startTestApp({}, [EchoFixtureModule]);
    await t.app.listen(0, '127.0.0.1');
    base = new URL(await t.app.getUrl());
    paths = (await t.http().get('/docs-json').expect(200)).body.paths;

    for (const [template, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const concrete = template.replace(/\{[^}]+\}/g, '1');
        const queryNames = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        // Traversal appended to the route itself, raw and encoded, so routes without ids are probed too.
        for (const suffix of [
          '/../../../etc/passwd',
          '/%2e%2e/%2e%2e/etc/passwd',
          '/..%2f..%2f..%2fetc%2fpasswd',
          '%00',
        ]) {
          outcomes.push({
            label: `${method} ${concrete}${suffix}`,
            ...(await send(base, method, `${concrete}${suffix}`)),
          });
        }
        for (const value of HOSTILE_VALUES) {
          for (const path of pathsFor(template, value)) {
            outcomes.push({ label: `${method} ${path.slice(0, 80)}`, ...(await send(base, method, path)) });
          }
          const query = [...queryNames, 'q', 'limit', 'sort', 'filter[$ne]']
            .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
            .join('&');
          outcomes.push({
            label: `${method} ${template}?… (${value.slice(0, 20)})`,
            ...(await send(base, method, `${concrete}?${query}`)),
          });
        }
        if (!BODY_METHODS.has(method)) continue;
        for (const { name, body, contentType } of HOSTILE_BODIES) {
          outcomes.push({
            label: `${method} ${template} body: ${name}`,
            ...(await send(base, method, concrete, body, contentType)),
          });
        }
      }
    }
  }, 120_000);
  afterAll(() => t.close());

  it('covers every route of the document, including one that takes a body', () => {
    const routes = Object.entries(paths).flatMap(([template, operations]) =>
      Object.keys(operations).map((method) => `${method} ${template}`),
    );
    expect(routes).toEqual(expect.arrayContaining(['get /health/live', 'get /health/ready', 'post /test-echo']));
    process.stdout.write(`bad-input drill: ${outcomes.length} requests to ${routes.length} routes\n`);
  });

  it('never answers 5xx', () => {
    expect(outcomes.filter((outcome) => outcome.status >= 500)).toEqual([]);
  });

  it('answers every rejected request with problem+json', () => {
    const rejected = outcomes.filter((outcome) => outcome.status >= 400);
    expect(rejected.length).toBeGreaterThan(HOSTILE_BODIES.length);
    expect(rejected.filter((outcome) => !outcome.contentType.startsWith('application/problem+json'))).toEqual([]);
  });

  it('gives every rejection a problem type of its own, never about:blank', () => {
    const untyped = outcomes.filter(
      (outcome) => outcome.status >= 400 && !/^\/problems\/[a-z-]+$/.test(outcome.problemType ?? ''),
    );
    expect(untyped).toEqual([]);
  });

  it('rejects every malformed body sent to a route that validates its body', () => {
    const echo = outcomes.filter((outcome) => outcome.label.startsWith('post /test-echo body:'));
    expect(echo).toHaveLength(HOSTILE_BODIES.length);
    const malformed = new Set(HOSTILE_BODIES.filter((body) => !body.wellFormed).map((body) => body.name));
    const accepted = echo.filter((outcome) => outcome.status < 400 && malformed.has(outcome.label.split('body: ')[1]));
    expect(accepted).toEqual([]);
  });
});
