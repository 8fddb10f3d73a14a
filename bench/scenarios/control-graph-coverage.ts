import { BENCH_CLIENT_HEADERS } from '../lib/login';
import type { Client } from 'pg';
import { insertEntityRecords, type SyntheticGraph } from '../lib/control-graph-fixtures';
import { latency, progress, timed } from '../lib/latency';
import { naiveCoverage, type CoverageAnswer } from '../lib/naive-coverage';
import type { SummaryRow } from '../lib/summary';
import type { GraphBench } from './control-graph';

const RECORDS = 10_000;
const PASSED_SHARE = 0.85;
const DEPTH = 2;
const CALLS = Number(process.env.BENCH_COVERAGE_CALLS ?? 10);
/** Long enough for the coverage statement to finish (the default, 15 s, cuts it off at this size). */
const PATIENT_TIMEOUT_MS = 300_000;
/** The evidence the app looks for per control: the 5 it lists and one more (`moreEvidence`). */
const PER_CONTROL = 6;
/** Controls per answer: the route's default (and maximum) limit; the summary counts the whole catalog. */
const PAGE = 2_000;
const ENTITY = '0191a3c4-5e00-7000-8000-000000000016';
/** Failed calls after which the rest are given up. */
const MAX_FAILURES = 3;

type Row = Record<string, string | number>;
type Summary = { controls: number; covered: number; partial: number; notCovered: number };
type CoverageBody = {
  summary: Summary;
  controls: { control: string; coverage: string; evidence: { record: { id: string } }[] }[];
};

/** What the app's answer says per listed control, keyed by control id as the naive answer is. */
async function appAnswer(client: Client, framework: string, body: CoverageBody): Promise<CoverageAnswer> {
  const { rows } = await client.query<{ id: string; control_id: string }>(
    `SELECT id, control_id FROM controls WHERE framework = $1`,
    [framework],
  );
  const idOf = new Map(rows.map((row) => [row.control_id, row.id]));
  return new Map(
    body.controls.map((control) => [
      idOf.get(control.control) as string,
      { coverage: control.coverage as 'covered', evidence: control.evidence.map((item) => item.record.id) },
    ]),
  );
}

const summaryOf = (answer: CoverageAnswer): Summary => {
  const count = (level: string) => [...answer.values()].filter((control) => control.coverage === level).length;
  return {
    controls: answer.size,
    covered: count('covered'),
    partial: count('partial'),
    notCovered: count('not-covered'),
  };
};

/**
 * Listed controls whose coverage differs from the naive answer, plus one if the summary (over the
 * whole catalog) does: both must be 0; and listed controls whose evidence differs.
 */
function compare(
  body: CoverageBody,
  app: CoverageAnswer,
  naive: CoverageAnswer,
): { coverage: number; evidence: number } {
  let coverage = JSON.stringify(body.summary) === JSON.stringify(summaryOf(naive)) ? 0 : 1;
  let evidence = 0;
  for (const [id, got] of app) {
    const expected = naive.get(id);
    if (got.coverage !== expected?.coverage) coverage++;
    else if (got.evidence.join() !== expected.evidence.slice(0, got.evidence.length).join()) evidence++;
  }
  return { coverage, evidence };
}

type Asked = { ms: number; value: { status: number; text: string } };

const ask = (bench: GraphBench, framework: string): Promise<Asked> =>
  timed(async () => {
    const res = await fetch(`${bench.url}/catalogs/${framework}/coverage?entityId=${ENTITY}&depth=${DEPTH}`, {
      headers: { ...BENCH_CLIENT_HEADERS, authorization: bench.authorization },
    });
    return { status: res.status, text: await res.text() };
  });

/**
 * CALLS calls round the frameworks, each with the same coverage worked out in Node, alternately
 * first so neither always meets the other's warmed pages; the app's answers checked against it.
 */
async function calls(bench: GraphBench, client: Client, graph: SyntheticGraph) {
  const http: number[] = [];
  const naive: number[] = [];
  const failures: string[] = [];
  const mismatches = { coverage: 0, evidence: 0 };
  let answer: { bytes: number; naiveBytes: number; summary?: CoverageBody['summary'] } = { bytes: 0, naiveBytes: 0 };
  for (let call = 0; call < CALLS && failures.length < MAX_FAILURES; call++) {
    const framework = graph.frameworkCodes[call % graph.frameworkCodes.length];
    const appFirst = call % 2 === 1 ? await ask(bench, framework) : undefined;
    const local = await timed(() => naiveCoverage(client, ENTITY, framework, DEPTH, PER_CONTROL, PAGE));
    const asked = appFirst ?? (await ask(bench, framework));
    naive.push(local.ms);
    progress(
      bench.since,
      `coverage ${call + 1}/${CALLS}: ${asked.value.status} in ${Math.round(asked.ms)} ms, in Node ${Math.round(local.ms)} ms`,
    );
    if (asked.value.status !== 200) {
      failures.push(`${asked.value.status} after ${Math.round(asked.ms)} ms`);
      continue;
    }
    http.push(asked.ms);
    const body = JSON.parse(asked.value.text) as CoverageBody;
    answer = { bytes: asked.value.text.length, naiveBytes: local.value.bytes, summary: body.summary };
    const differs = compare(body, await appAnswer(client, framework, body), local.value.answer);
    mismatches.coverage += differs.coverage;
    mismatches.evidence += differs.evidence;
  }
  if (mismatches.coverage) console.warn(`coverage differs from the naive answer ${mismatches.coverage} times`);
  return { http, naive, failures, mismatches, ...answer };
}

/**
 * GET /catalogs/{framework}/coverage for one entity with RECORDS records over the graph's
 * frameworks: one call with the app as configured by default, then CALLS on an app whose
 * statement timeout is raised (the default one cuts the statement off), against the same coverage
 * worked out in Node with one query per level (naiveCoverage); and a plain SELECT of the records.
 */
export async function measureCoverage(
  bench: GraphBench,
  client: Client,
  graph: SyntheticGraph,
): Promise<{ rows: Row[]; summary: SummaryRow[] }> {
  await insertEntityRecords(client, graph, ENTITY, RECORDS, PASSED_SHARE);
  progress(bench.since, `${RECORDS} records inserted; coverage at the default statement timeout`);
  const probe = await ask(bench, graph.frameworkCodes[0]);
  const patient = await bench.another({ DATABASE_STATEMENT_TIMEOUT_MS: String(PATIENT_TIMEOUT_MS) });
  const measured = await calls(patient, client, graph).finally(() => patient.stop());
  const plain: number[] = [];
  for (let call = 0; call < CALLS; call++) {
    plain.push((await timed(() => client.query(`SELECT * FROM compliance_records WHERE entity_id = $1`, [ENTITY]))).ms);
  }
  const label = `coverage depth ${DEPTH}, ${RECORDS} records over ${graph.frameworks} frameworks`;
  const { http, naive, failures, summary } = measured;
  const rows: Row[] = [
    {
      name: `${label}: GET coverage, default statement timeout`,
      calls: 1,
      status: probe.value.status,
      ms: Math.round(probe.ms),
    },
    {
      name: `${label}: GET coverage (HTTP), statement timeout ${PATIENT_TIMEOUT_MS} ms`,
      calls: http.length + failures.length,
      ...(http.length ? latency(http) : {}),
      ...(failures.length ? { failures: [...new Set(failures)].join('; ') } : {}),
      ...(summary
        ? {
            listed: PAGE,
            bytes: measured.bytes,
            ...summary,
            coverageDiffering: measured.mismatches.coverage,
            evidenceListsDiffering: measured.mismatches.evidence,
          }
        : {}),
    },
    {
      name: `${label}: the same coverage in Node, one query per level`,
      calls: naive.length,
      ...latency(naive),
      bytes: measured.naiveBytes,
    },
    { name: `SELECT * of the entity's ${RECORDS} records`, calls: CALLS, ...latency(plain) },
  ];
  const summaryRows: SummaryRow[] = http.length
    ? (['p50Ms', 'p95Ms'] as const).map((key) => ({
        metric: `${label}, ${key.slice(0, 3)}`,
        value: latency(http)[key],
        baseline: latency(naive)[key],
        baselineLabel: 'the same coverage in Node, one query per level',
        unit: 'ms',
      }))
    : [];
  return { rows, summary: summaryRows };
}
