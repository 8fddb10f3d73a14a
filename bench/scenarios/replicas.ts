import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import type autocannon from 'autocannon';
import { aRecord } from '../../test/support/builders/compliance-record.builder';
import { aUser } from '../../test/support/builders/user.builder';
import { SpareHaproxy } from '../../test/support/haproxy';
import { productionSecrets } from '../../test/support/production-secrets';
import { freePort } from '../../test/support/spare-services';
import { ServerProcess, startApp } from '../lib/app-process';
import { BenchDatabase, freshDatabase } from '../lib/bench-database';
import { DURATION_SECONDS, load, LoadResult, warmUp } from '../lib/load';
import { BENCH_CLIENT_HEADERS, logIn } from '../lib/login';
import { backendsCpuBetween, databaseBackendsCpu, processCpuSeconds } from '../lib/process-cpu';
import { ratio, report } from '../lib/report';
import type { SummaryRow } from '../lib/summary';

const COUNTS = [1, 2, 3];
const DATABASE = 'ck_bench_replicas';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Logins per second beside the mix, on 2 connections (each costs ~100 ms of scrypt). */
const LOGIN_RATE = Number(process.env.BENCH_LOGIN_RATE ?? 5);
/** Requests per 100 of the mix. */
const MIX = { session: 31, read: 25, list: 10, write: 20, search: 10, bulk: 4 } as const;
/** Records the load's search finds: seeded once, so a search costs the same at every step. */
const SEARCHED_RECORDS = 50;

type Kind = keyof typeof MIX;

/** Per request over a step: CPU (µs) by who spent it, and the database's work. */
interface StepCost {
  /** Every replica together. */
  app: number;
  /** This database's Postgres backends. */
  postgres: number;
  haproxy: number;
  /** This process: autocannon. */
  loadGenerator: number;
  /** Committed and rolled back transactions (`pg_stat_database`, flushed by backends about once a second). */
  transactions: number;
  /** Rows returned by scans and fetched by index. */
  rowsRead: number;
}

interface Step {
  replicas: number;
  mix: LoadResult;
  logins: LoadResult;
  cost: StepCost;
  load1Before: number;
  load1After: number;
}

/** Starts counting; the returned function gives each process's CPU and the database's work per request. */
async function costMeter(
  apps: ServerProcess[],
  proxyPid: number,
  db: BenchDatabase,
): Promise<(requests: number) => Promise<StepCost>> {
  const read = async () => {
    const [stats] = (
      await db.client.query<{ transactions: string; rows: string }>(
        `SELECT xact_commit + xact_rollback AS transactions, tup_returned + tup_fetched AS rows
           FROM pg_stat_database WHERE datname = current_database()`,
      )
    ).rows;
    return {
      apps: apps.reduce((sum, app) => sum + (processCpuSeconds(app.pid) ?? 0), 0),
      postgres: databaseBackendsCpu(DATABASE),
      haproxy: processCpuSeconds(proxyPid) ?? 0,
      self: process.cpuUsage(),
      transactions: Number(stats.transactions),
      rows: Number(stats.rows),
    };
  };
  const before = await read();
  return async (requests) => {
    const after = await read();
    const perRequest = (seconds: number) => Math.round((seconds * 1e6) / requests);
    const self = process.cpuUsage(before.self);
    return {
      app: perRequest(after.apps - before.apps),
      postgres: perRequest(backendsCpuBetween(before.postgres, after.postgres)),
      haproxy: perRequest(after.haproxy - before.haproxy),
      loadGenerator: perRequest((self.user + self.system) / 1e6),
      transactions: Math.round(((after.transactions - before.transactions) / requests) * 100) / 100,
      rowsRead: Math.round((after.rows - before.rows) / requests),
    };
  };
}

/**
 * The kinds of request in the mix: session checks, reads by id (cached), lists, single and bulk
 * (20) record writes, and a full-text search over a fixed set of records.
 */
function requestKinds(token: string, id: string): Record<Kind, autocannon.Request> {
  const headers = { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS, authorization: `Bearer ${token}` };
  const bulk = { records: Array.from({ length: 20 }, () => aRecord({ framework: 'SOC2', controlId: 'CC7.2' })) };
  return {
    session: { method: 'GET', path: '/auth/session', headers },
    read: { method: 'GET', path: `/compliance/records/${id}`, headers },
    list: { method: 'GET', path: '/compliance/records?limit=5', headers },
    write: {
      method: 'POST',
      path: '/compliance/records',
      headers,
      body: JSON.stringify(aRecord({ framework: 'SOC2', controlId: 'CC6.1' })),
    },
    search: { method: 'GET', path: '/search?q=HIPAA', headers },
    bulk: { method: 'POST', path: '/compliance/records/bulk', headers, body: JSON.stringify(bulk) },
  };
}

/** One sequence of 100 requests per connection, the kinds spread evenly (smooth weighted round robin). */
function mixedRequests(kinds: Record<Kind, autocannon.Request>): autocannon.Request[] {
  const credit = Object.fromEntries(Object.keys(MIX).map((kind) => [kind, 0])) as Record<Kind, number>;
  return Array.from({ length: 100 }, () => {
    for (const kind of Object.keys(MIX) as Kind[]) credit[kind] += MIX[kind];
    const next = (Object.keys(credit) as Kind[]).reduce((a, b) => (credit[b] > credit[a] ? b : a));
    credit[next] -= 100;
    return kinds[next];
  });
}

function loginRequest(user: { email: string; password: string }): autocannon.Request {
  return {
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS },
    body: JSON.stringify(user),
  };
}

/** Each request once, answered 2xx, before any is timed: a bad sequence fails loudly, not as non-2xx counts. */
async function checkRequests(url: string, requests: autocannon.Request[]): Promise<void> {
  for (const { method, path, headers, body } of new Set(requests)) {
    const init = { method, headers: headers as Record<string, string>, body: body as string | undefined };
    const res = await fetch(`${url}${path}`, init);
    if (res.status >= 300) throw new Error(`bench request ${method} ${path}: ${res.status} ${await res.text()}`);
  }
}

async function apiCall(url: string, path: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`bench setup ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** The load's token, a record to read, a user to log in as, and the records the search finds. */
async function seed(url: string, admin: { email: string; password: string }) {
  const token = await logIn(url, admin.email, admin.password);
  const user = aUser({ role: 'analyst' });
  await apiCall(url, '/users', token, user);
  const id = (await apiCall(url, '/compliance/records', token, aRecord())).id as string;
  const searched = Array.from({ length: SEARCHED_RECORDS }, () => aRecord({ framework: 'HIPAA' }));
  await apiCall(url, '/compliance/records/bulk', token, { records: searched });
  return { token, id, login: { email: user.email, password: user.password } };
}

/**
 * Each kind alone against one replica (10 connections; logins on 2: as many concurrent logins as
 * DATABASE_POOL_MAX stall the pool, docs/scaling.md#capacity), with the replica's CPU per request.
 */
async function costPerKind(
  url: string,
  pid: number,
  kinds: Record<Kind, autocannon.Request>,
  logins: Partial<autocannon.Options>,
): Promise<LoadResult[]> {
  const duration = Math.max(3, Math.round(DURATION_SECONDS / 2));
  const results: LoadResult[] = [];
  for (const [kind, request] of Object.entries(kinds)) {
    results.push(await load(`1 replica, ${kind} alone`, url, { requests: [request], connections: 10, duration }, pid));
  }
  results.push(await load('1 replica, login alone', url, { ...logins, duration }, pid));
  return results;
}

/**
 * The same mixed load against 1, 2 and 3 replicas of the app behind HAProxy (round robin), on one
 * database and one Redis, in one run: the 1-replica step is the baseline. Replicas are added
 * between steps (the first keeps running). Logins come as their own stream at LOGIN_RATE: inside
 * autocannon's per-connection sequence, every connection would log in at the same moment.
 * Everything shares this machine's cores (load generator, HAProxy, replicas, Postgres, Redis),
 * so the steps show what more processes buy here, not what more machines would.
 */
export async function replicas(): Promise<void> {
  const db = await freshDatabase(DATABASE);
  const secrets = productionSecrets();
  const environment = {
    ...secrets,
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: `bench_replicas_${randomBytes(3).toString('hex')}`,
    THROTTLE_API_LIMIT: '100000000',
  };
  const apps: ServerProcess[] = [];
  const steps: Step[] = [];
  const costs: LoadResult[] = [];
  let proxy: SpareHaproxy | undefined;
  try {
    let seeded: Awaited<ReturnType<typeof seed>> | undefined;
    for (const count of COUNTS) {
      while (apps.length < count) apps.push(await startApp({ ...environment, PORT: String(await freePort()) }));
      await proxy?.stop();
      proxy = await SpareHaproxy.start(
        apps.map((app, i) => ({ name: `app${i + 1}`, port: Number(new URL(app.url).port) })),
        { checkIntervalMs: 2_000, log: false },
      );
      for (let i = 0; i < count; i++) await proxy.waitForState(`app${i + 1}`, 'UP');
      seeded ??= await seed(proxy.url, { email: secrets.ADMIN_EMAIL, password: secrets.ADMIN_PASSWORD });
      const kinds = requestKinds(seeded.token, seeded.id);
      const requests = mixedRequests(kinds);
      const logins = { requests: [loginRequest(seeded.login)], connections: 2 };
      await checkRequests(proxy.url, [...requests, ...logins.requests]);
      // A few seconds of warm-up per replica: a replica added for this step has not run yet.
      for (let i = 0; i < count; i++) await warmUp(proxy.url, { requests });
      const meter = await costMeter(apps, proxy.pid!, db);
      const load1Before = loadavg()[0];
      const label = `${count} replica${count > 1 ? 's' : ''}`;
      const [mix, login] = await Promise.all([
        load(`${label}: mixed load`, proxy.url, { requests }),
        load(`${label}: logins`, proxy.url, { ...logins, overallRate: LOGIN_RATE }),
      ]);
      const cost = await meter(mix.total + login.total);
      for (const result of [mix, login]) {
        if (result.errors || result.non2xx) {
          throw new Error(`${result.name}: ${JSON.stringify(result)}; servers ${JSON.stringify(await proxy.states())}`);
        }
      }
      if (count === 1) costs.push(...(await costPerKind(proxy.url, apps[0].pid, kinds, logins)));
      steps.push({
        replicas: count,
        mix,
        logins: login,
        cost,
        load1Before: Math.round(load1Before * 10) / 10,
        load1After: Math.round(loadavg()[0] * 10) / 10,
      });
    }
  } finally {
    await proxy?.stop();
    await Promise.all(apps.map((app) => app.stop()));
    await db.drop();
  }
  const [one, ...more] = steps;
  report({
    benchmark: 'replicas',
    rows: [
      ...steps.map((step) => ({
        replicas: step.replicas,
        'req/s': step.mix.requestsPerSecond,
        p50Ms: step.mix.p50Ms,
        p99Ms: step.mix.p99Ms,
        'logins/s': step.logins.requestsPerSecond,
        loginP99Ms: step.logins.p99Ms,
        appCpuUs: step.cost.app,
        postgresCpuUs: step.cost.postgres,
        haproxyCpuUs: step.cost.haproxy,
        loadGeneratorCpuUs: step.cost.loadGenerator,
        transactions: step.cost.transactions,
        rowsRead: step.cost.rowsRead,
        load1Before: step.load1Before,
        load1After: step.load1After,
      })),
      ...costs.map(({ name, requestsPerSecond, p50Ms, p99Ms, cpuUsPerRequest }) => ({
        kind: name,
        'req/s': requestsPerSecond,
        p50Ms,
        p99Ms,
        appCpuUs: cpuUsPerRequest ?? NaN,
      })),
    ],
    ratios: Object.fromEntries(
      more.map((step) => [
        `${step.replicas} / 1 replicas req/s`,
        ratio(step.mix.requestsPerSecond, one.mix.requestsPerSecond),
      ]),
    ),
    summary: more.map((step): SummaryRow => ({
      metric: `${step.replicas} replicas behind HAProxy, mixed load throughput`,
      value: step.mix.requestsPerSecond,
      baseline: one.mix.requestsPerSecond,
      baselineLabel: '1 replica behind HAProxy',
      unit: 'req/s',
    })),
  });
}
