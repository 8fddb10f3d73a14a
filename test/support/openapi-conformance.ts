import type { FastifyInstance } from 'fastify';
import {
  type ConformanceViolation,
  DocumentedResponses,
  type ObservedResponse,
  type OpenApiDocument,
} from './openapi-responses.js';

export type { ConformanceViolation } from './openapi-responses.js';

const DOCUMENT_URL = '/docs-json';

/**
 * `OPENAPI_CONFORMANCE=report` prints what broke the document instead of failing, so one suite run
 * lists everything still undocumented while the document catches up; enforcing is the default.
 */
export type ConformanceMode = 'enforce' | 'report';

export function conformanceMode(value: string | undefined): ConformanceMode {
  if (value === undefined || value === '' || value === 'enforce') return 'enforce';
  if (value === 'report') return 'report';
  throw new Error(`OPENAPI_CONFORMANCE must be "enforce" or "report", not "${value}"`);
}

/**
 * Watches every response an app sends and keeps each one that breaks the app's own OpenAPI
 * document (GET /docs-json, so fixture routes a test adds are covered too).
 */
export class OpenApiConformance {
  private documented: DocumentedResponses | undefined;
  private readonly violations: ConformanceViolation[] = [];

  private constructor(private readonly fastify: FastifyInstance) {}

  /** Fastify refuses hooks once it is ready: call this before `app.init()`, then `load()` after it. */
  static watch(fastify: FastifyInstance): OpenApiConformance {
    const conformance = new OpenApiConformance(fastify);
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const route = request.routeOptions.url;
      if (route !== undefined) {
        conformance.observe({
          method: request.method,
          route,
          url: request.url.split('?')[0],
          status: reply.statusCode,
          contentType: headerValue(reply.getHeader('content-type')),
          body: payload as ObservedResponse['body'],
          headerNames: Object.keys(reply.getHeaders()).map((name) => name.toLowerCase()),
        });
      }
      done(null, payload);
    });
    return conformance;
  }

  /** Reads the document the app serves; responses sent before this are not checked. */
  async load(): Promise<void> {
    const response = await this.fastify.inject({ method: 'GET', url: DOCUMENT_URL });
    if (response.statusCode !== 200) throw new Error(`GET ${DOCUMENT_URL} answered ${response.statusCode}`);
    this.documented = new DocumentedResponses(response.json<OpenApiDocument>());
  }

  /** The violations so far, which are then forgotten (so `settle()` no longer sees them). */
  takeViolations(): ConformanceViolation[] {
    return this.violations.splice(0);
  }

  /** Throws listing the violations (`enforce`) or prints them to stderr (`report`); then forgets them. */
  settle(mode = conformanceMode(process.env.OPENAPI_CONFORMANCE), label = currentTestFile()): void {
    const violations = this.takeViolations();
    if (!violations.length) return;
    const text = `${label}: ${violations.length} responses broke the OpenAPI document\n${summarize(violations)}\n`;
    if (mode === 'report') process.stderr.write(`[openapi-conformance] ${text}`);
    else throw new Error(text);
  }

  private observe(response: ObservedResponse): void {
    if (!this.documented) return;
    try {
      const violation = this.documented.check(response);
      if (violation) this.violations.push(violation);
    } catch (error) {
      // A bug in the check must not change the response the test sees; it still fails the file.
      this.violations.push({
        operation: `${response.method} ${response.route}`,
        url: response.url,
        status: response.status,
        contentType: response.contentType ?? '(none)',
        problem: 'the conformance check itself failed',
        errors: [error instanceof Error ? error.message : String(error)],
      });
    }
  }
}

/** One line per distinct problem, most frequent first, with a count and one URL that showed it. */
export function summarize(violations: ConformanceViolation[]): string {
  const groups = new Map<string, { count: number; url: string }>();
  for (const v of violations) {
    const details = v.errors.length ? ` [${v.errors.join('; ')}]` : '';
    const key = `${v.operation} → ${v.status} ${v.contentType}: ${v.problem}${details}`;
    const group = groups.get(key) ?? { count: 0, url: v.url };
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups]
    .sort(([, a], [, b]) => b.count - a.count)
    .map(([key, { count, url }]) => `  ${count}× ${key} (e.g. ${url})`)
    .join('\n');
}

function headerValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? String(value[0]) : String(value);
}

function currentTestFile(): string {
  const path = typeof expect === 'function' ? expect.getState().testPath : undefined;
  return path ? path.slice(path.lastIndexOf('/test/') + 1) : 'test app';
}
