import { IncomingHttpHeaders, request as httpRequest } from 'node:http';

export interface Outcome {
  tag: string;
  startedAt: number;
  ms: number;
  status?: number;
  contentType?: string;
  headers?: IncomingHttpHeaders;
  body?: string;
  /** Connection error before any response byte (refused, reset while connecting). */
  error?: string;
  /** The response had begun and then broke off: the failure a drain must never cause. */
  cut?: boolean;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  timeoutMs?: number;
  /** Sent as well, e.g. an `X-Request-Id` to find the request in a proxy's log. */
  headers?: Record<string, string>;
}

/** One request on its own connection (no keep-alive reuse races), bounded by `timeoutMs`. */
export function call(base: string, method: string, path: string, tag: string, options: CallOptions = {}) {
  const { token, timeoutMs = 20_000 } = options;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const url = new URL(path, base);
  const startedAt = Date.now();
  return new Promise<Outcome>((resolve) => {
    const done = (fields: Partial<Outcome>) => resolve({ tag, startedAt, ms: Date.now() - startedAt, ...fields });
    const headers: Record<string, string | number> = {
      ...options.headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', () => done({ status: res.statusCode, cut: true }));
        res.on('close', () =>
          res.complete
            ? done({
                status: res.statusCode,
                contentType: String(res.headers['content-type'] ?? ''),
                headers: res.headers,
                body: text,
              })
            : done({ status: res.statusCode, cut: true }),
        );
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    req.end(body);
  });
}

/** A load-loop step that takes the requests in turn. */
export const inTurn =
  (requests: ((sequence: number) => Promise<Outcome>)[]) =>
  (sequence: number): Promise<Outcome> =>
    requests[sequence % requests.length](sequence);

/**
 * A bounded load loop: `workers` callers issue requests back to back until `stop()`, or until
 * `maxRequests` or `maxMs` is reached, whichever comes first.
 */
export class LoadLoop {
  readonly outcomes: Outcome[] = [];
  private stopped = false;
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly next: (sequence: number) => Promise<Outcome>,
    private readonly limits = { workers: 4, maxRequests: 20_000, maxMs: 60_000 },
  ) {}

  start(): this {
    const deadline = Date.now() + this.limits.maxMs;
    let sequence = 0;
    for (let w = 0; w < this.limits.workers; w++) {
      this.running.push(
        (async () => {
          while (!this.stopped && sequence < this.limits.maxRequests && Date.now() < deadline) {
            this.outcomes.push(await this.next(sequence++));
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })(),
      );
    }
    return this;
  }

  async stop(): Promise<Outcome[]> {
    this.stopped = true;
    await Promise.all(this.running);
    return this.outcomes;
  }
}

export interface DrillSummary {
  drill: string;
  sent: number;
  failed: number;
  lost: number | 'n/a';
  [detail: string]: unknown;
}

/** Printed so the numbers appear in the test output (and in the operations report). */
export function printDrill(summary: DrillSummary): void {
  process.stdout.write(`DRILL ${JSON.stringify(summary)}\n`);
}

export const waitFor = async (condition: () => Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Acknowledged record writes (tags `w…`, 201) missing from the database afterwards. */
export async function lostRecordWrites(
  db: { query<T>(sql: string, parameters?: unknown[]): Promise<T[]> },
  outcomes: Outcome[],
): Promise<{ acknowledged: string[]; lost: string[] }> {
  const acknowledged = outcomes
    .filter((o) => o.tag.startsWith('w') && o.status === 201)
    .map((o) => JSON.parse(o.body!).id as string);
  const rows = await db.query<{ id: string }>('SELECT id FROM compliance_records WHERE id = ANY($1)', [acknowledged]);
  const stored = new Set(rows.map((r) => r.id));
  return { acknowledged, lost: acknowledged.filter((id) => !stored.has(id)) };
}

/** The statuses of `GET /auth/session`, now, for every token a successful drill login (`login`) got, where not 200. */
export async function invalidLogins(base: string, outcomes: Outcome[]): Promise<{ tokens: number; invalid: number[] }> {
  const tokens = outcomes
    .filter((o) => o.tag === 'login' && o.status === 200)
    .map((o) => JSON.parse(o.body!).token as string);
  const invalid: number[] = [];
  for (const token of tokens) {
    const status = (await call(base, 'GET', '/auth/session', 'after', { token })).status!;
    if (status !== 200) invalid.push(status);
  }
  return { tokens: tokens.length, invalid };
}
