import { deepStrictEqual, equal, ok } from 'node:assert/strict';

/** What the checks say to the app through its published port (loopback only). */
export interface AppEndpoint {
  url: string;
  email: string;
  password: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a value; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/** Status of GET /health/ready, or 'refused' when nothing answers. */
export async function readiness(app: AppEndpoint): Promise<{ status: number | 'refused'; type?: string }> {
  try {
    const response = await fetch(`${app.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json().catch(() => ({}))) as { type?: string };
    return { status: response.status, type: body.type };
  } catch {
    return { status: 'refused' };
  }
}

/** Logs in as the bootstrap admin; returns the bearer token. */
export async function logIn(app: AppEndpoint): Promise<string> {
  const response = await fetch(`${app.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: app.email, password: app.password, deviceName: 'test:containers' }),
  });
  equal(response.status, 200, `POST /auth/login answered ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  ok(token, 'POST /auth/login returned no token');
  return token;
}

/**
 * Writes a record (its evidence notes are encrypted at rest) and reads it back by id: Postgres, the
 * keyring and the record cache in Redis all on the way. Returns the record's id.
 */
export async function writeAndReadRecord(app: AppEndpoint, token: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const written = {
    entityId: 'org-containers',
    framework: 'GDPR',
    controlId: 'Art.32-1',
    status: 'passed',
    score: 92.5,
    evidenceNotes: 'Checked by npm run test:containers.',
  };
  const created = await fetch(`${app.url}/compliance/records`, {
    method: 'POST',
    headers,
    body: JSON.stringify(written),
  });
  equal(created.status, 201, `POST /compliance/records answered ${created.status}: ${await created.clone().text()}`);
  const { id } = (await created.json()) as { id: string };
  const read = await fetch(`${app.url}/compliance/records/${id}`, { headers });
  equal(read.status, 200, `GET /compliance/records/${id} answered ${read.status}`);
  const record = (await read.json()) as Record<string, unknown>;
  const fields = Object.keys(written) as (keyof typeof written)[];
  deepStrictEqual(Object.fromEntries(fields.map((field) => [field, record[field]])), written);
  return id;
}

/** Waits for Prometheus to have scraped the app, including its record writes; returns the series count. */
export async function scrapedByPrometheus(prometheusUrl: string): Promise<string> {
  const query = async (expression: string) => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
    return body.data.result.map((sample) => sample.value[1]);
  };
  // The scrape interval is 15 s: up to four scrapes.
  return eventually('Prometheus scraping the app', 60_000, async () => {
    const [up] = await query('up{job="compliance-kit"}');
    const [writes] = await query(
      'sum(http_request_duration_seconds_count{job="compliance-kit",method="POST",route="/compliance/records"})',
    );
    return up === '1' && Number(writes) >= 1 ? `up == 1, ${writes} record write(s) counted` : undefined;
  });
}
