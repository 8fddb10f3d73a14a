import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Client } from 'pg';
import { demoRecords } from '../../src/cli/demo-data';
import { startApp, startServer, type ServerProcess } from '../lib/app-process';
import { BenchDatabase, freshDatabase } from '../lib/bench-database';
import { load, type LoadResult, warmUp } from '../lib/load';
import { BENCH_CLIENT_HEADERS, logIn } from '../lib/login';
import { ratio, report } from '../lib/report';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Records never read before, per round: the cache-miss run stops when they are used up. */
const MISSES_PER_ROUND = Number(process.env.BENCH_RECORD_MISSES ?? 15_000);
const HOT_IDS = 100;
const EMAIL = 'bench.admin@example.com';
const PASSWORD = randomBytes(18).toString('base64url');
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Requests cycling through `ids`, each connection taking the next one. */
function cycling(ids: string[], headers: Record<string, string> = {}) {
  let next = 0;
  return [
    {
      method: 'GET' as const,
      headers,
      setupRequest: (req: object) => ({ ...req, path: `/compliance/records/${ids[next++ % ids.length]}` }),
    },
  ];
}

interface Round {
  pg: LoadResult;
  redis: LoadResult;
  authenticatedRedis: LoadResult;
  miss: LoadResult;
  hit: LoadResult;
}

/**
 * The app's cached `GET /compliance/records/:id` against, in the same run and at the same
 * connections: a bare Fastify + `pg` handler reading the same rows by primary key from the same
 * database (what a user would otherwise pick), a bare Fastify + Redis handler returning the same
 * cached bodies (what bounds any cache on this stack), the same behind the least session check
 * (what bounds a cache on an authenticated route) and the app's own cache miss + fill.
 * ROUNDS rounds, each measuring all four in turn; the summary takes the median round.
 */
export async function recordCache(): Promise<void> {
  const db = await freshDatabase('ck_bench_record_cache');
  try {
    await run(db);
  } finally {
    await db.drop();
  }
}

async function run(db: BenchDatabase): Promise<void> {
  const servers: ServerProcess[] = [];
  const redis = new Redis(REDIS_URL);
  const keyPrefix = `bench_record_${randomBytes(4).toString('hex')}:`;
  try {
    const app = await startApp({
      DATABASE_URL: db.url,
      REDIS_URL,
      HTTP_BODY_LIMIT_BYTES: '16777216',
      ADMIN_EMAIL: EMAIL,
      ADMIN_PASSWORD: PASSWORD,
      THROTTLE_API_LIMIT: '100000000',
    });
    servers.push(app);
    const authorization = `Bearer ${await logIn(app.url, EMAIL, PASSWORD)}`;
    const headers = { ...BENCH_CLIENT_HEADERS, authorization };
    const ids = await ingest(app.url, headers, HOT_IDS + ROUNDS * MISSES_PER_ROUND);
    // The relay's work on the ingested events (search, analytics) would otherwise share the app's CPU.
    await outboxDrained(db.client);
    const hot = ids.slice(0, HOT_IDS);
    for (const id of hot) {
      const res = await fetch(`${app.url}/compliance/records/${id}`, { headers });
      if (res.status !== 200) throw new Error(`GET answered ${res.status}`);
      await redis.set(keyPrefix + id, await res.text(), 'EX', 3_600);
    }
    const pg = await startServer('dist/bench/servers/bare-pg-record.js', { DATABASE_URL: db.url });
    servers.push(pg);
    const bareRedis = await startServer('dist/bench/servers/bare-redis-record.js', {
      REDIS_URL,
      KEY_PREFIX: keyPrefix,
    });
    servers.push(bareRedis);
    const bareToken = randomBytes(32).toString('base64url');
    const authenticatedRedis = await startServer('dist/bench/servers/bare-redis-record.js', {
      REDIS_URL,
      KEY_PREFIX: keyPrefix,
      SESSION_TOKEN: bareToken,
    });
    servers.push(authenticatedRedis);
    const bareHeaders = { authorization: `Bearer ${bareToken}` };

    await warmUp(pg.url, { requests: cycling(hot) });
    await warmUp(bareRedis.url, { requests: cycling(hot) });
    await warmUp(authenticatedRedis.url, { requests: cycling(hot, bareHeaders) });
    await warmUp(app.url, { requests: cycling(hot, headers) });
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cold = ids.slice(HOT_IDS + round * MISSES_PER_ROUND, HOT_IDS + (round + 1) * MISSES_PER_ROUND);
      const label = (what: string) => `round ${round + 1}: ${what}`;
      rounds.push({
        pg: await load(label('bare Fastify + pg, by primary key'), pg.url, { requests: cycling(hot) }, pg.pid),
        redis: await load(
          label('bare Fastify + Redis, cached body'),
          bareRedis.url,
          { requests: cycling(hot) },
          bareRedis.pid,
        ),
        authenticatedRedis: await load(
          label('bare Fastify + Redis, session check then cached body'),
          authenticatedRedis.url,
          { requests: cycling(hot, bareHeaders) },
          authenticatedRedis.pid,
        ),
        miss: await load(
          label('app, cache miss + fill'),
          app.url,
          { requests: cycling(cold, headers), amount: cold.length },
          app.pid,
        ),
        hit: await load(label('app, cache hit'), app.url, { requests: cycling(hot, headers) }, app.pid),
      });
    }
    summarize(rounds);
  } finally {
    for (const server of servers.reverse()) await server.stop();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
}

async function outboxDrained(client: Client): Promise<void> {
  const pending = async () =>
    Number((await client.query(`SELECT count(*) AS n FROM outbox_deliveries WHERE status = 'pending'`)).rows[0].n);
  while (await pending()) await new Promise((resolve) => setTimeout(resolve, 200));
}

async function ingest(url: string, headers: Record<string, string>, count: number): Promise<string[]> {
  const data = demoRecords(count, 42, new Date(), 90).map((record, i) => ({
    ...record,
    evidenceNotes: `Interviewed ${record.entityId} owner (case ${i}); access log and tickets reviewed.`,
  }));
  const ids: string[] = [];
  for (let start = 0; start < data.length; start += 10_000) {
    const res = await fetch(`${url}/compliance/records/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ records: data.slice(start, start + 10_000) }),
    });
    if (res.status !== 201) throw new Error(`bulk ingest answered ${res.status}: ${await res.text()}`);
    ids.push(...((await res.json()) as { ids: string[] }).ids);
  }
  return ids;
}

function summarize(rounds: Round[]): void {
  const byHitOverPg = [...rounds].sort(
    (a, b) => a.hit.requestsPerSecond / a.pg.requestsPerSecond - b.hit.requestsPerSecond / b.pg.requestsPerSecond,
  );
  const median = byHitOverPg[Math.floor(byHitOverPg.length / 2)];
  const cpu = (row: LoadResult) => row.cpuUsPerRequest ?? NaN;
  const each = (pick: (round: Round) => number) => rounds.map(pick).join(' / ');
  report({
    benchmark: 'record-cache',
    rows: rounds.flatMap((round) => [round.pg, round.redis, round.authenticatedRedis, round.miss, round.hit]),
    ratios: {
      ...Object.fromEntries(
        rounds.map((round, i) => [
          `round ${i + 1}: hit / bare pg req/s`,
          ratio(round.hit.requestsPerSecond, round.pg.requestsPerSecond),
        ]),
      ),
      ...Object.fromEntries(
        rounds.map((round, i) => [
          `round ${i + 1}: hit / miss req/s`,
          ratio(round.hit.requestsPerSecond, round.miss.requestsPerSecond),
        ]),
      ),
      ...Object.fromEntries(
        rounds.map((round, i) => [`round ${i + 1}: hit / bare pg p99`, ratio(round.hit.p99Ms, round.pg.p99Ms)]),
      ),
      ...Object.fromEntries(
        rounds.map((round, i) => [
          `round ${i + 1}: hit / bare Redis req/s`,
          ratio(round.hit.requestsPerSecond, round.redis.requestsPerSecond),
        ]),
      ),
      ...Object.fromEntries(
        rounds.map((round, i) => [
          `round ${i + 1}: bare Redis with session check / bare pg req/s`,
          ratio(round.authenticatedRedis.requestsPerSecond, round.pg.requestsPerSecond),
        ]),
      ),
    },
    summary: [
      {
        metric: `GET /compliance/records/:id, cache hit (median of ${rounds.length} rounds; hit/pg each round ${each((r) => ratio(r.hit.requestsPerSecond, r.pg.requestsPerSecond))})`,
        value: median.hit.requestsPerSecond,
        baseline: median.pg.requestsPerSecond,
        baselineLabel: 'bare Fastify + pg by primary key, same database; goal ≥ 1.5',
        unit: 'req/s',
      },
      {
        metric: 'GET /compliance/records/:id, cache hit',
        value: median.hit.requestsPerSecond,
        baseline: median.miss.requestsPerSecond,
        baselineLabel: 'cache miss + fill; goal ≥ 5',
        unit: 'req/s',
      },
      {
        metric: 'GET /compliance/records/:id, cache hit p99',
        value: median.hit.p99Ms,
        baseline: median.pg.p99Ms,
        baselineLabel: 'bare Fastify + pg; goal ≤ 2',
        unit: 'ms',
      },
      {
        metric: 'GET /compliance/records/:id, cache hit (the bound of any cache here)',
        value: median.hit.requestsPerSecond,
        baseline: median.redis.requestsPerSecond,
        baselineLabel: 'bare Fastify + Redis returning the cached body',
        unit: 'req/s',
      },
      {
        metric:
          'bare Fastify + Redis, session check then the cached body (the bound of a cache on an authenticated route)',
        value: median.authenticatedRedis.requestsPerSecond,
        baseline: median.pg.requestsPerSecond,
        baselineLabel: 'bare Fastify + pg by primary key (no auth)',
        unit: 'req/s',
      },
      {
        metric: 'GET /compliance/records/:id, cache hit, server CPU per request',
        value: cpu(median.hit),
        baseline: cpu(median.pg),
        baselineLabel: 'bare Fastify + pg',
        unit: 'µs',
      },
    ],
  });
}
