import { readFileSync, writeFileSync } from 'node:fs';

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

const cell = (value: number, unit: string) => `${value} ${unit}`.trim();
const ratioOf = (value: number, baseline: number) => (baseline ? Math.round((value / baseline) * 100) / 100 : NaN);

/**
 * One Markdown table over every benchmark's saved result. A benchmark without `summary` rows
 * still shows its ratios, with no value or baseline.
 */
export function renderResults(results: SavedBenchmark[]): string {
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench`. Each baseline was measured in the same run, on the same machine.',
    '',
    '| benchmark | metric | value | baseline | ratio |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const result of results) {
    for (const row of result.summary ?? []) {
      lines.push(
        `| ${result.benchmark} | ${row.metric} | ${cell(row.value, row.unit)} | ${cell(row.baseline, row.unit)} (${row.baselineLabel}) | ${ratioOf(row.value, row.baseline)} |`,
      );
    }
    if (!result.summary?.length) {
      for (const [label, ratio] of Object.entries(result.ratios ?? {})) {
        lines.push(`| ${result.benchmark} | ${label} | — | — | ${ratio} |`);
      }
    }
  }
  const machines = [
    ...new Set(results.map((r) => `Node ${r.machine.node}, ${r.machine.cpus} × ${r.machine.cpu ?? 'cpu'}`)),
  ];
  const times = results.map((r) => r.at).sort();
  lines.push('', `Machine: ${machines.join('; ')}. Run: ${times[0] ?? '—'} to ${times[times.length - 1] ?? '—'}.`, '');
  return lines.join('\n');
}

/** Writes the Markdown table for the given saved result files. */
export function writeResults(resultFiles: readonly string[], file: string): void {
  const results = resultFiles.map((path) => JSON.parse(readFileSync(path, 'utf8')) as SavedBenchmark);
  writeFileSync(file, renderResults(results));
  console.log(`saved ${file}`);
}
