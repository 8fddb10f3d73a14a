import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startApp } from '../lib/app-process';
import { logIn } from '../lib/login';
import { load, LoadResult, warmUp } from '../lib/load';
import { ratio, report } from '../lib/report';
import type { SummaryRow } from '../lib/summary';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const EMAIL = 'bench.admin@example.com';
const PASSWORD = randomBytes(18).toString('base64url');

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

/** One app, one database: authenticated GET /auth/session vs public GET /health/live. */
async function measure(label: string, redisUrl: string): Promise<LoadResult[]> {
  const name = `ck_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const app = await startApp({
    DATABASE_URL: url.toString(),
    REDIS_URL: redisUrl,
    ADMIN_EMAIL: EMAIL,
    ADMIN_PASSWORD: PASSWORD,
    THROTTLE_API_LIMIT: '100000000',
    SESSION_REDIS_TIMEOUT_MS: '50',
  });
  try {
    const token = await logIn(app.url, EMAIL, PASSWORD);
    const authenticated = { headers: { authorization: `Bearer ${token}` } };
    await warmUp(`${app.url}/health/live`);
    await warmUp(`${app.url}/auth/session`, authenticated);
    const health = await load(`${label}: GET /health/live`, `${app.url}/health/live`, {}, app.pid);
    const session = await load(`${label}: GET /auth/session`, `${app.url}/auth/session`, authenticated, app.pid);
    return [health, session];
  } finally {
    await app.stop();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

const throughputRow = (label: string, [health, session]: LoadResult[]): SummaryRow => ({
  metric: `${label}: GET /auth/session throughput`,
  value: session.requestsPerSecond,
  baseline: health.requestsPerSecond,
  baselineLabel: 'GET /health/live',
  unit: 'req/s',
});

/** Health's CPU per request over the session route's: the throughput ratio on an otherwise idle machine. */
const cpuRatio = ([health, session]: LoadResult[]) =>
  health.cpuUsPerRequest && session.cpuUsPerRequest ? ratio(health.cpuUsPerRequest, session.cpuUsPerRequest) : NaN;

/**
 * Redis up (primary store) and Redis unreachable (circuit open, Postgres fallback), printed together.
 * Besides req/s it compares server CPU per request, which holds steady when the machine is shared.
 */
export async function authSession(): Promise<void> {
  const up = await measure('redis up', REDIS_URL);
  const down = await measure('redis down', 'redis://127.0.0.1:1');
  report({
    benchmark: 'auth-session',
    rows: [...up, ...down],
    ratios: {
      'redis up: session / health req/s': ratio(up[1].requestsPerSecond, up[0].requestsPerSecond),
      'redis up: health / session CPU per request': cpuRatio(up),
      'redis down: session / health req/s': ratio(down[1].requestsPerSecond, down[0].requestsPerSecond),
      'redis down: health / session CPU per request': cpuRatio(down),
    },
    summary: [throughputRow('redis up', up), throughputRow('redis down', down)],
  });
}
