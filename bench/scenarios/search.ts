import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { buildDataSourceOptions } from '../../src/infrastructure/database/data-source-options';
import { PostgresSearchEngine } from '../../src/infrastructure/search/postgres/postgres-search.engine';
import type { SearchRequest } from '../../src/infrastructure/search/search-engine';
import { parseSearchQuery } from '../../src/infrastructure/search/search-query';
import { complianceCorpusBatches } from '../../test/support/search-corpus';
import { startApp } from '../lib/app-process';
import { uniqueDatabaseName } from '../lib/bench-database';
import { BENCH_CLIENT_HEADERS, logIn } from '../lib/login';
import { load } from '../lib/load';
import { report } from '../lib/report';

/** A server Postgres, not the embedded one: the corpus is large. */
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SIZES = (process.env.BENCH_SEARCH_SIZES ?? '100000').split(',').map(Number);
/** SEARCH_RANK_CANDIDATES settings to compare; 0 ranks every match. */
const CANDIDATE_CAPS = (process.env.BENCH_SEARCH_RANK_CANDIDATES ?? '0,1000').split(',').map(Number);
const SAMPLES = 400;
const EMAIL = 'bench.search@example.com';
const PASSWORD = randomBytes(18).toString('base64url');

/** Two words and one filter each, cycled through by every run. */
const QUERIES: { q: string; filter: [string, string] }[] = [
  { q: 'encryption overdue', filter: ['framework', 'SOC2'] },
  { q: 'access review', filter: ['status', 'failed'] },
  { q: 'backup restore', filter: ['framework', 'ISO27001'] },
  { q: 'evidence reviewed', filter: ['status', 'passed'] },
  { q: 'personal data', filter: ['framework', 'GDPR'] },
  { q: 'cardholder data', filter: ['status', 'warning'] },
];

/** Runs one statement on its own connection, free of the app's statement timeout. */
async function admin(sql: string, url = ADMIN_URL): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/**
 * Waits until no other session runs a statement on the database: an app stopped mid-load leaves
 * its backends finishing queued searches, which would otherwise land in the next measurement.
 */
async function waitForIdle(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (let waited = 0; waited < 120_000; waited += 200) {
      const { rows } = await client.query<{ busy: number }>(
        `SELECT count(*)::int AS busy FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
      );
      if (rows[0].busy === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('the bench database stayed busy for 2 minutes');
  } finally {
    await client.end();
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (n: number) => Math.round(n * 100) / 100;

async function benchSize(size: number): Promise<Record<string, string | number>[]> {
  const database = uniqueDatabaseName(`ck_bench_search_${size}`);
  await admin(`CREATE DATABASE ${database}`);
  const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
  const config = new AppConfig(validateEnvironment({ DATABASE_URL: url }));
  const dataSource = new DataSource(buildDataSourceOptions(config.database, url));
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    const engine = new PostgresSearchEngine(() => dataSource.manager);

    const indexingStarted = performance.now();
    for (const batch of complianceCorpusBatches(1, size, 1_000)) await engine.index(batch);
    const indexingSeconds = (performance.now() - indexingStarted) / 1000;
    await admin('VACUUM ANALYZE search_documents', url);

    const rows: Record<string, string | number>[] = [
      { name: `indexing ${size} docs`, indexingDocsPerSecond: Math.round(size / indexingSeconds) },
    ];
    for (const rankCandidates of CANDIDATE_CAPS) {
      rows.push(...(await measureQueries(dataSource, url, size, rankCandidates)));
      if (rankCandidates) rows.push(await scoreParity(dataSource, size, rankCandidates));
    }
    return rows;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

function searchRequest(i: number): SearchRequest {
  const { q, filter } = QUERIES[i % QUERIES.length];
  return {
    index: 'compliance',
    query: parseSearchQuery(q),
    filters: { [filter[0]]: filter[1] },
    facets: [],
    page: 1,
    pageSize: 20,
  };
}

/**
 * How many of the queries get a first page whose scores equal those of exact ranking: the cap
 * picks which matches are ranked by storage order, so this is what it may cost in relevance.
 */
async function scoreParity(dataSource: DataSource, size: number, rankCandidates: number) {
  const capped = new PostgresSearchEngine(() => dataSource.manager, { rankCandidates });
  const exact = new PostgresSearchEngine(() => dataSource.manager, { rankCandidates: 0 });
  const scores = async (engine: PostgresSearchEngine, i: number) =>
    (await engine.search(searchRequest(i))).hits.map((hit) => hit.score.toFixed(6)).join();
  let equal = 0;
  for (let i = 0; i < QUERIES.length; i++) if ((await scores(capped, i)) === (await scores(exact, i))) equal++;
  return {
    name: `${size} docs, rank ${rankCandidates} candidates: first-page scores equal to exact ranking`,
    queries: QUERIES.length,
    equal,
  };
}

async function measureQueries(
  dataSource: DataSource,
  url: string,
  size: number,
  rankCandidates: number,
): Promise<Record<string, string | number>[]> {
  const label = `${size} docs, ${rankCandidates ? `rank ${rankCandidates} candidates` : 'rank all'}`;
  const engine = new PostgresSearchEngine(() => dataSource.manager, { rankCandidates });
  await waitForIdle(url);
  // One untimed pass: the first search on a connection also loads the partitions' catalog entries.
  for (let i = 0; i < QUERIES.length; i++) await engine.search(searchRequest(i));
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await engine.search(searchRequest(i));
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);

  const app = await startApp({
    DATABASE_URL: url,
    SEARCH_RANK_CANDIDATES: String(rankCandidates),
    ADMIN_EMAIL: EMAIL,
    ADMIN_PASSWORD: PASSWORD,
    THROTTLE_API_LIMIT: '100000000',
  });
  const token = await logIn(app.url, EMAIL, PASSWORD);
  let next = 0;
  const http = await load(`GET /search, ${label}`, `${app.url}/search`, {
    headers: { ...BENCH_CLIENT_HEADERS, authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => {
          const { q, filter } = QUERIES[next++ % QUERIES.length];
          return { ...request, path: `/search?${new URLSearchParams({ q, [filter[0]]: filter[1] })}` };
        },
      },
    ],
  });
  await app.stop();
  return [
    {
      name: `engine, ${label}, 1 client`,
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      p99Ms: round(percentile(latencies, 99)),
    },
    { ...http },
  ];
}

/**
 * Postgres full-text search at each size in BENCH_SEARCH_SIZES: indexing throughput, engine
 * latency from one sequential client, then GET /search under load through the whole app.
 */
export async function search(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  for (const size of SIZES) rows.push(...(await benchSize(size)));
  const engineP95 = (size: number, ranking: string) =>
    rows.find((row) => row.name === `engine, ${size} docs, ${ranking}, 1 client`)?.p95Ms as number | undefined;
  const summary = SIZES.flatMap((size) => {
    const capped = engineP95(size, 'rank 1000 candidates');
    const exact = engineP95(size, 'rank all');
    if (capped === undefined || exact === undefined) return [];
    return [
      {
        metric: `search p95 at ${size} docs, two words + one filter, 1,000-candidate cap`,
        value: capped,
        baseline: exact,
        baselineLabel: 'exact ranking of every match',
        unit: 'ms',
      },
    ];
  });
  report({ benchmark: 'search', rows, summary });
}
