import { randomBytes } from 'node:crypto';
import { startApp } from '../lib/app-process';
import { freshDatabase } from '../lib/bench-database';
import { loadSyntheticGraph, type GraphShape } from '../lib/control-graph-fixtures';
import { progress } from '../lib/latency';
import { logIn } from '../lib/login';
import { report } from '../lib/report';
import { measureCatalogImport } from './control-graph-import';
import { measureCoverage } from './control-graph-coverage';
import { measureRelated } from './control-graph-related';

const SHAPE: GraphShape = {
  frameworks: 5,
  controls: Number(process.env.BENCH_GRAPH_CONTROLS ?? 100_000),
  edges: Number(process.env.BENCH_GRAPH_EDGES ?? 1_000_000),
  skew: Number(process.env.BENCH_GRAPH_SKEW ?? 2),
};
const EMAIL = 'bench.graph@example.com';
const PASSWORD = randomBytes(18).toString('base64url');

export interface GraphBench {
  url: string;
  /** The app's process, for its CPU time. */
  pid: number;
  authorization: string;
  since: number;
  /** Another app on the same database, e.g. with a setting changed; stopped by `stop`. */
  another(environment: Record<string, string>): Promise<GraphBench & { stop(): Promise<void> }>;
}

/** The app as `npm start` runs it (plus `environment`) on `url`, logged in as the bench admin. */
async function benchApp(url: string, since: number, environment: Record<string, string> = {}) {
  const app = await startApp({
    DATABASE_URL: url,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    ADMIN_EMAIL: EMAIL,
    ADMIN_PASSWORD: PASSWORD,
    THROTTLE_API_LIMIT: '100000000',
    ...environment,
  });
  try {
    const bench: GraphBench & { stop(): Promise<void> } = {
      url: app.url,
      pid: app.pid,
      authorization: `Bearer ${await logIn(app.url, EMAIL, PASSWORD)}`,
      since,
      another: (more) => benchApp(url, since, { ...environment, ...more }),
      stop: () => app.stop(),
    };
    return bench;
  } catch (error) {
    await app.stop();
    throw error;
  }
}

/**
 * The control graph on the machine's Postgres and Redis, one sequential client: depth-2 related
 * controls over a synthetic graph (cold, each start asked once) against the same walk done with
 * per-level and per-node queries from Node; coverage of an entity's records over that graph
 * against the same coverage worked out in Node; MODERATE baseline import against JSON.parse +
 * COPY of its rows into bare tables.
 */
export async function controlGraph(): Promise<void> {
  const since = performance.now();
  const db = await freshDatabase('ck_bench_control_graph');
  try {
    const bench = await benchApp(db.url, since);
    try {
      progress(since, `app up (pid ${bench.pid}); loading ${SHAPE.controls} controls and ${SHAPE.edges} edges`);
      const graph = await loadSyntheticGraph(db.client, SHAPE);
      progress(since, 'graph loaded, vacuumed and analyzed');

      const related = await measureRelated(bench, db.client, graph);
      const coverage = await measureCoverage(bench, db.client, graph);
      const catalogImport = await measureCatalogImport(bench, db.client);
      report({
        benchmark: 'control-graph',
        rows: [...related.rows, ...coverage.rows, ...catalogImport.rows],
        summary: [...related.summary, ...coverage.summary, ...catalogImport.summary],
      });
    } finally {
      await bench.stop();
    }
  } finally {
    await db.drop();
  }
}
