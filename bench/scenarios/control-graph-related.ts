import { BENCH_CLIENT_HEADERS } from '../lib/login';
import 'reflect-metadata';
import type { Client } from 'pg';
import type { TransactionContext } from '../../src/infrastructure/database/transaction-context';
import { ControlGraphRepository } from '../../src/modules/catalogs/control-graph.repository';
import { WALK_RELATIONSHIPS } from '../../src/modules/catalogs/dto/related-controls.query';
import { seededRandom } from '../../src/common/seeded-random';
import { controlRef, distinctControls, type SyntheticGraph } from '../lib/control-graph-fixtures';
import { distribution, latency, progress, timed } from '../lib/latency';
import { processCpuSeconds } from '../lib/process-cpu';
import { naiveWalk, type WalkAnswer } from '../lib/naive-graph-walk';
import type { SummaryRow } from '../lib/summary';
import type { GraphBench } from './control-graph';

const SAMPLES = Number(process.env.BENCH_GRAPH_SAMPLES ?? 300);
const WARM_UP = 30;
const HOT = 100;
const DEPTH = 2;
/** The route's default limit and its maximum. */
const LIMITS = [200, 2_000];
const FOLLOWED = [...WALK_RELATIONSHIPS].sort();

type Start = { framework: string; control: string };
type Method = (start: Start, limit: number) => Promise<WalkAnswer>;
type Row = Record<string, string | number>;

/** The app's own walk statement, run on the bench's connection: its SQL cost without HTTP and Nest. */
function walkStatement(client: Client, prefix = ''): ControlGraphRepository {
  const manager = {
    query: async (sql: string, parameters: unknown[]) => (await client.query(prefix + sql, parameters)).rows,
  };
  return new ControlGraphRepository({ manager } as unknown as TransactionContext);
}

function methods(bench: GraphBench, client: Client): Record<string, Method> {
  const repository = walkStatement(client);
  return {
    http: async ({ framework, control }, limit) => {
      const query = limit === LIMITS[0] ? `depth=${DEPTH}` : `depth=${DEPTH}&limit=${limit}`;
      const res = await fetch(`${bench.url}/catalogs/${framework}/controls/${control}/related?${query}`, {
        headers: { ...BENCH_CLIENT_HEADERS, authorization: bench.authorization },
      });
      if (res.status !== 200) throw new Error(`related answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as { total: number; related: WalkAnswer['reached'] };
      return {
        total: body.total,
        reached: body.related.map(({ framework: f, control: c, depth }) => ({ framework: f, control: c, depth })),
        queries: 1,
      };
    },
    statement: async ({ framework, control }, limit) => {
      const [start, ...rows] = await repository.walk(framework, control, FOLLOWED, DEPTH, limit);
      return {
        total: Number(start.total),
        reached: rows.map((r) => ({ framework: r.framework, control: r.control_id, depth: r.depth })),
        queries: 1,
      };
    },
    'per-level': (start, limit) => naiveWalk(client, 'per-level', start, DEPTH, limit),
    'per-node': (start, limit) => naiveWalk(client, 'per-node', start, DEPTH, limit),
  };
}

const LABELS: Record<string, string> = {
  http: 'GET related through the app (HTTP)',
  statement: "the app's walk statement alone (pg, no HTTP)",
  'per-level': 'naive: one neighbours query per level, from Node',
  'per-node': 'naive: one neighbours query per control, from Node',
};

/** control_graph_cache_requests_total by result, from /metrics (empty before the cache exists). */
async function cacheCounts(bench: GraphBench): Promise<Record<string, number>> {
  const text = await (await fetch(`${bench.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^control_graph_cache_requests_total\{result="(\w+)"\} (\d+)/gm))
    counts[match[1]] = Number(match[2]);
  return counts;
}
const cacheDelta = (before: Record<string, number>, after: Record<string, number>) =>
  ['hit', 'miss', 'error'].map((result) => `${result} ${(after[result] ?? 0) - (before[result] ?? 0)}`).join(', ');

/** Every start once per method, the methods in a rotating order so none always meets colder pages. */
async function pass(bench: GraphBench, all: Record<string, Method>, starts: Start[], limit: number) {
  const names = Object.keys(all);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const queries: number[] = [];
  const totals: number[] = [];
  const returned: number[] = [];
  const cpuBefore = processCpuSeconds(bench.pid);
  for (const [i, start] of starts.entries()) {
    const answers: Record<string, WalkAnswer> = {};
    for (const name of [...names.slice(i % names.length), ...names.slice(0, i % names.length)]) {
      const { ms, value } = await timed(() => all[name](start, limit));
      samples[name].push(ms);
      answers[name] = value;
    }
    const expected = JSON.stringify({ ...answers['per-level'], queries: 0 });
    for (const name of names) {
      if (JSON.stringify({ ...answers[name], queries: 0 }) !== expected)
        throw new Error(`${name} answered ${start.framework}/${start.control} differently from per-level`);
    }
    queries.push(answers['per-node'].queries);
    totals.push(answers.http.total);
    returned.push(answers.http.reached.length);
    if ((i + 1) % 100 === 0) progress(bench.since, `related limit ${limit}: ${i + 1}/${starts.length} starts`);
  }
  const cpuAfter = processCpuSeconds(bench.pid);
  const appCpuMs =
    cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1000) / starts.length;
  return { samples, queries, totals, returned, appCpuMs };
}

/** Prints EXPLAIN (ANALYZE, BUFFERS) of the walk from the starts whose statement time was the p50 and the p95. */
async function explainAtPercentiles(
  client: Client,
  starts: Start[],
  statementMs: number[],
  limit: number,
): Promise<void> {
  const order = statementMs.map((ms, i) => ({ ms, i })).sort((a, b) => a.ms - b.ms);
  for (const p of [0.5, 0.95]) {
    const { ms, i } = order[Math.floor(p * order.length)];
    const { framework, control } = starts[i];
    const plan = (await walkStatement(client, 'EXPLAIN (ANALYZE, BUFFERS) ').walk(
      framework,
      control,
      FOLLOWED,
      DEPTH,
      limit,
    )) as unknown as {
      'QUERY PLAN': string;
    }[];
    console.log(`\nEXPLAIN ANALYZE, walk from ${framework}/${control} (statement p${p * 100}: ${ms.toFixed(1)} ms):`);
    console.log(plan.map((line) => line['QUERY PLAN']).join('\n'));
  }
}

/**
 * Depth-2 related controls from SAMPLES distinct random starts, each asked once per limit (the
 * cache key includes the limit, so both passes are cold), then HOT of them again (cache hits).
 */
export async function measureRelated(
  bench: GraphBench,
  client: Client,
  graph: SyntheticGraph,
): Promise<{ rows: Row[]; summary: SummaryRow[] }> {
  const numbers = distinctControls(graph, WARM_UP + SAMPLES, seededRandom(16));
  const starts = numbers.map((n) => controlRef(graph, n));
  const all = methods(bench, client);
  await pass(bench, all, starts.slice(0, WARM_UP), LIMITS[0]);
  const measured = starts.slice(WARM_UP);
  const rows: Row[] = [];
  const summary: SummaryRow[] = [];
  let coldHttp: number[] = [];
  for (const limit of LIMITS) {
    const before = await cacheCounts(bench);
    const result = await pass(bench, all, measured, limit);
    const cache = cacheDelta(before, await cacheCounts(bench));
    for (const [name, samples] of Object.entries(result.samples)) {
      rows.push({
        name: `depth ${DEPTH}, limit ${limit}, cold: ${LABELS[name]}`,
        ...latency(samples),
        ...(name === 'http' ? { cache, appCpuMsPerRequest: Math.round((result.appCpuMs ?? NaN) * 10) / 10 } : {}),
      });
    }
    const size = (label: string, values: number[]) => ({
      name: `depth ${DEPTH}, limit ${limit}: ${label}`,
      ...distribution(values),
    });
    rows.push(
      size('controls reachable (total)', result.totals),
      size('controls returned', result.returned),
      size('queries the per-node walk made', result.queries),
    );
    const p95 = (name: string) => latency(result.samples[name]).p95Ms;
    summary.push({
      metric: `related depth ${DEPTH} limit ${limit}, cold, p95`,
      value: p95('http'),
      baseline: p95('per-level'),
      baselineLabel: 'per-level queries from Node, same starts',
      unit: 'ms',
    });
    if (limit === LIMITS[0]) {
      coldHttp = result.samples.http;
      const p50 = (name: string) => latency(result.samples[name]).p50Ms;
      summary.push({
        metric: `related depth ${DEPTH} limit ${limit}, cold, p50`,
        value: p50('http'),
        baseline: p50('per-level'),
        baselineLabel: 'per-level queries from Node, same starts',
        unit: 'ms',
      });
      summary.push({
        metric: `related depth ${DEPTH} limit ${limit}, cold, p95`,
        value: p95('http'),
        baseline: p95('per-node'),
        baselineLabel: 'per-node queries from Node, same starts',
        unit: 'ms',
      });
      await explainAtPercentiles(client, measured, result.samples.statement, limit);
    }
  }
  const before = await cacheCounts(bench);
  const hot: number[] = [];
  for (const start of measured.slice(0, HOT)) hot.push((await timed(() => all.http(start, LIMITS[0]))).ms);
  rows.push({
    name: `depth ${DEPTH}, limit ${LIMITS[0]}, hot (asked again): ${LABELS.http}`,
    ...latency(hot),
    cache: cacheDelta(before, await cacheCounts(bench)),
  });
  summary.push({
    metric: `related depth ${DEPTH} limit ${LIMITS[0]}, cached (asked again), p95`,
    value: latency(hot).p95Ms,
    baseline: latency(coldHttp.slice(0, HOT)).p95Ms,
    baselineLabel: 'the same starts cold, through HTTP',
    unit: 'ms',
  });
  return { rows, summary };
}
