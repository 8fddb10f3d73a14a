import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One headline number of a benchmark, next to the baseline it was measured against in the same run. */
export interface SummaryRow {
  metric: string;
  value: number;
  baseline: number;
  /** What the baseline is, e.g. "bare Fastify". */
  baselineLabel: string;
  unit: string;
}

export interface SavedBenchmark {
  benchmark: string;
  at: string;
  machine: { node: string; cpus: number; cpu?: string };
  summary?: SummaryRow[];
  ratios?: Record<string, number>;
}

const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const cell = (value: number, unit: string) => `${value} ${unit}`.trim();
/** Two significant digits: a ratio of 0.0048 must not print as 0. */
const ratioOf = (value: number, baseline: number) => (baseline ? Number((value / baseline).toPrecision(2)) : NaN);

/**
 * One Markdown table over every benchmark's saved result. A benchmark without `summary` rows
 * still shows its ratios, with no value or baseline.
 */
export function renderResults(results: SavedBenchmark[]): string {
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` from the latest saved run of every benchmark (`bench/results/<name>.json`);',
    '`npm run bench <name>` re-runs one and rewrites this table. Each baseline was measured in the same',
    'run as its value, on the same machine.',
    '',
    '| benchmark | metric | value | baseline | ratio | measured |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const result of results) {
    for (const row of result.summary ?? []) {
      lines.push(
        `| ${result.benchmark} | ${row.metric} | ${cell(row.value, row.unit)} | ${cell(row.baseline, row.unit)} (${row.baselineLabel}) | ${ratioOf(row.value, row.baseline)} | ${day(result.at)} |`,
      );
    }
    if (!result.summary?.length) {
      for (const [label, ratio] of Object.entries(result.ratios ?? {})) {
        lines.push(`| ${result.benchmark} | ${label} | — | — | ${ratio} | ${day(result.at)} |`);
      }
    }
  }
  const machines = [
    ...new Set(results.map((r) => `Node ${r.machine.node}, ${r.machine.cpus} × ${r.machine.cpu ?? 'cpu'}`)),
  ];
  lines.push('', `Machine: ${machines.join('; ')}. Times are UTC.`, '');
  return lines.join('\n');
}

/** Writes the Markdown table over every saved result in `resultsDir`, in benchmark name order. */
export function writeResults(resultsDir: string, file: string): void {
  const results = readdirSync(resultsDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as SavedBenchmark);
  writeFileSync(file, renderResults(results));
  console.log(`saved ${file}`);
}
