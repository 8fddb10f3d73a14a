import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startApp, startServer } from '../lib/app-process';
import { BENCH_CLIENT_HEADERS, logIn } from '../lib/login';
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

/** An admin API key for the bench app, created with the admin's session. */
async function createApiKey(appUrl: string, token: string): Promise<string> {
  const res = await fetch(`${appUrl}/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'bench', role: 'admin' }),
  });
  if (res.status !== 201) throw new Error(`bench key creation failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}

/**
 * One app, one database: public GET /health/live, then GET /auth/session with a session and with
 * an API key (one Postgres lookup, and one audit event, per request).
 */
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
    const authenticated = { headers: { ...BENCH_CLIENT_HEADERS, authorization: `Bearer ${token}` } };
    const withKey = { headers: { ...BENCH_CLIENT_HEADERS, 'x-api-key': await createApiKey(app.url, token) } };
    await warmUp(`${app.url}/health/live`);
    await warmUp(`${app.url}/auth/session`, authenticated);
    await warmUp(`${app.url}/auth/session`, withKey);
    const health = await load(`${label}: GET /health/live`, `${app.url}/health/live`, {}, app.pid);
    const session = await load(`${label}: GET /auth/session`, `${app.url}/auth/session`, authenticated, app.pid);
    const key = await load(`${label}: GET /auth/session (API key)`, `${app.url}/auth/session`, withKey, app.pid);
    return [health, session, key];
  } finally {
    await app.stop();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/**
 * The same work without the app: bare Fastify's hello-world, and a bare Fastify session route
 * (`bench/servers/bare-session.ts`) reading a sealed session from Redis, or from memory as the
 * app's per-process cache does while Redis is down. Their ratio bounds the app's own.
 */
async function measureBare(): Promise<LoadResult[]> {
  const token = randomBytes(32).toString('base64url');
  const authenticated = { headers: { ...BENCH_CLIENT_HEADERS, authorization: `Bearer ${token}` } };
  const results: LoadResult[] = [];
  const servers: [string, string, Record<string, string>][] = [
    ['bare fastify: GET /health/live', 'dist/bench/servers/bare-fastify.js', {}],
    [
      'bare fastify: GET /auth/session, session from Redis',
      'dist/bench/servers/bare-session.js',
      { SESSION_SOURCE: 'redis' },
    ],
    [
      'bare fastify: GET /auth/session, session from memory',
      'dist/bench/servers/bare-session.js',
      { SESSION_SOURCE: 'memory' },
    ],
  ];
  for (const [name, script, environment] of servers) {
    const server = await startServer(script, {
      ...environment,
      REDIS_URL,
      SESSION_TOKEN: token,
      KEY_PREFIX: `bench_${randomBytes(4).toString('hex')}:session:`,
    });
    try {
      const path = script.endsWith('bare-fastify.js') ? '/health/live' : '/auth/session';
      await warmUp(`${server.url}${path}`, authenticated);
      results.push(await load(name, `${server.url}${path}`, authenticated, server.pid));
    } finally {
      await server.stop();
    }
  }
  return results;
}

const throughputRow = (label: string, [health, session]: LoadResult[]): SummaryRow => ({
  metric: `${label}: GET /auth/session throughput`,
  value: session.requestsPerSecond,
  baseline: health.requestsPerSecond,
  baselineLabel: 'GET /health/live',
  unit: 'req/s',
});

/** What the session check alone costs a bare server: the bound of the ratio issue 20 asks of the app. */
const bareRow = (metric: string, session: LoadResult, health: LoadResult): SummaryRow => ({
  metric: `${metric} throughput (the bound of the app's session / health ratio)`,
  value: session.requestsPerSecond,
  baseline: health.requestsPerSecond,
  baselineLabel: 'bare Fastify GET /health/live',
  unit: 'req/s',
});

const keyThroughputRow = (label: string, [, session, key]: LoadResult[]): SummaryRow => ({
  metric: `${label}: GET /auth/session with an API key throughput`,
  value: key.requestsPerSecond,
  baseline: session.requestsPerSecond,
  baselineLabel: 'the same route with a session',
  unit: 'req/s',
});

/** The baseline's CPU per request over the other's: the throughput ratio on an otherwise idle machine. */
const cpuRatio = (baseline: LoadResult, other: LoadResult) =>
  baseline.cpuUsPerRequest && other.cpuUsPerRequest ? ratio(baseline.cpuUsPerRequest, other.cpuUsPerRequest) : NaN;

/**
 * Redis up (primary store) and Redis unreachable (circuit open, Postgres fallback), printed together.
 * Besides req/s it compares server CPU per request, which holds steady when the machine is shared.
 */
export async function authSession(): Promise<void> {
  const bare = await measureBare();
  const [bareHealth, bareRedis, bareMemory] = bare;
  const up = await measure('redis up', REDIS_URL);
  const down = await measure('redis down', 'redis://127.0.0.1:1');
  report({
    benchmark: 'auth-session',
    rows: [...bare, ...up, ...down],
    ratios: {
      'bare: session from Redis / health req/s': ratio(bareRedis.requestsPerSecond, bareHealth.requestsPerSecond),
      'bare: session from memory / health req/s': ratio(bareMemory.requestsPerSecond, bareHealth.requestsPerSecond),
      'redis up: app session / bare session from Redis req/s': ratio(
        up[1].requestsPerSecond,
        bareRedis.requestsPerSecond,
      ),
      'redis down: app session / bare session from memory req/s': ratio(
        down[1].requestsPerSecond,
        bareMemory.requestsPerSecond,
      ),
      'redis up: session / health req/s': ratio(up[1].requestsPerSecond, up[0].requestsPerSecond),
      'redis up: health / session CPU per request': cpuRatio(up[0], up[1]),
      'redis up: API key / session req/s': ratio(up[2].requestsPerSecond, up[1].requestsPerSecond),
      'redis up: session / API key CPU per request': cpuRatio(up[1], up[2]),
      'redis down: session / health req/s': ratio(down[1].requestsPerSecond, down[0].requestsPerSecond),
      'redis down: health / session CPU per request': cpuRatio(down[0], down[1]),
      'redis down: API key / session req/s': ratio(down[2].requestsPerSecond, down[1].requestsPerSecond),
      'redis down: session / API key CPU per request': cpuRatio(down[1], down[2]),
    },
    summary: [
      throughputRow('redis up', up),
      throughputRow('redis down', down),
      bareRow('bare: GET /auth/session, session from Redis', bareRedis, bareHealth),
      bareRow('bare: GET /auth/session, session from memory', bareMemory, bareHealth),
      {
        metric: 'redis up: GET /auth/session throughput, against the same work without the app',
        value: up[1].requestsPerSecond,
        baseline: bareRedis.requestsPerSecond,
        baselineLabel: 'bare Fastify, session from Redis',
        unit: 'req/s',
      },
      {
        metric: 'redis down: GET /auth/session throughput, against the same work without the app',
        value: down[1].requestsPerSecond,
        baseline: bareMemory.requestsPerSecond,
        baselineLabel: 'bare Fastify, session from memory',
        unit: 'req/s',
      },
      keyThroughputRow('redis up', up),
      keyThroughputRow('redis down', down),
    ],
  });
}
