import { BENCH_CLIENT_HEADERS } from '../lib/login';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { createBareCatalogTables, parseAndCopy } from '../lib/catalog-import-baseline';
import { progress } from '../lib/latency';
import type { SummaryRow } from '../lib/summary';
import type { GraphBench } from './control-graph';

const FRAMEWORK = 'NIST-800-53-MODERATE';
const FILE = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'shared',
  'oscal',
  'NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json',
);
const RUNS = Number(process.env.BENCH_CATALOG_IMPORT_RUNS ?? 5);

type Counts = { inserted: number; updated: number; unchanged: number; removed: number };

const round = (ms: number) => Math.round(ms * 10) / 10;
const median = (values: number[]) => round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]);

/**
 * POST /catalogs/import of the MODERATE baseline: a first import (the catalog deleted before each
 * run, untimed; its framework row stays after the first run) and an unchanged re-import, RUNS each,
 * against JSON.parse of the same text + COPY of its control and link rows into bare tables.
 */
export async function measureCatalogImport(
  bench: GraphBench,
  client: Client,
): Promise<{ rows: Record<string, string | number>[]; summary: SummaryRow[] }> {
  const text = readFileSync(FILE, 'utf8');
  const post = async (): Promise<{ ms: number; counts: Counts }> => {
    const started = performance.now();
    const res = await fetch(`${bench.url}/catalogs/import?framework=${FRAMEWORK}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS, authorization: bench.authorization },
      body: text,
    });
    if (res.status !== 200) throw new Error(`import answered ${res.status}: ${await res.text()}`);
    const counts = (await res.json()) as Counts;
    return { ms: performance.now() - started, counts };
  };
  const first: number[] = [];
  const again: number[] = [];
  const baseline: number[] = [];
  let controls = 0;
  for (let run = 0; run < RUNS; run++) {
    await client.query('DELETE FROM control_catalogs WHERE framework = $1', [FRAMEWORK]);
    const { ms, counts } = await post();
    if (counts.updated || counts.unchanged || counts.removed)
      throw new Error(`first import was not: ${JSON.stringify(counts)}`);
    controls = counts.inserted;
    first.push(ms);
  }
  for (let run = 0; run < RUNS; run++) {
    const { ms, counts } = await post();
    if (counts.inserted || counts.updated || counts.removed)
      throw new Error(`re-import changed: ${JSON.stringify(counts)}`);
    again.push(ms);
  }
  await createBareCatalogTables(client);
  for (let run = 0; run < RUNS; run++) {
    const copied = await parseAndCopy(client, text);
    if (copied.controls !== controls)
      throw new Error(`baseline copied ${copied.controls} controls, import wrote ${controls}`);
    baseline.push(copied.ms);
  }
  progress(bench.since, `catalog import measured (${RUNS} runs each)`);
  const baselineLabel = 'JSON.parse + COPY of its rows into bare tables';
  return {
    rows: [
      {
        name: `POST /catalogs/import ${FRAMEWORK} (${controls} controls), first import`,
        runs: RUNS,
        medianMs: median(first),
        maxMs: round(Math.max(...first)),
      },
      {
        name: `POST /catalogs/import ${FRAMEWORK}, unchanged re-import`,
        runs: RUNS,
        medianMs: median(again),
        maxMs: round(Math.max(...again)),
      },
      {
        name: `JSON.parse + COPY ${controls} control rows and their related links into bare tables`,
        runs: RUNS,
        medianMs: median(baseline),
        maxMs: round(Math.max(...baseline)),
      },
    ],
    summary: [
      {
        metric: 'MODERATE baseline import, first, median',
        value: median(first),
        baseline: median(baseline),
        baselineLabel,
        unit: 'ms',
      },
      {
        metric: 'MODERATE baseline import, unchanged re-import, median',
        value: median(again),
        baseline: median(baseline),
        baselineLabel,
        unit: 'ms',
      },
    ],
  };
}
