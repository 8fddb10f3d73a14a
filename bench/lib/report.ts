import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { SummaryRow } from './summary';

export interface BenchmarkReport {
  benchmark: string;
  rows: Record<string, string | number>[];
  /** Headline comparisons, e.g. "app / bare fastify req/s". */
  ratios?: Record<string, number>;
  /** Headline numbers with their same-run baseline, collected into bench/RESULTS.md. */
  summary?: SummaryRow[];
}

export const RESULTS_DIR = join(__dirname, '..', '..', '..', 'bench', 'results');

/** Prints the rows as a table and writes them, with the machine's shape, to bench/results/<name>.json. */
export function report({ benchmark, rows, ratios = {}, summary = [] }: BenchmarkReport): void {
  console.log(`\n## ${benchmark}`);
  console.table(rows);
  for (const [label, value] of Object.entries(ratios)) console.log(`${label}: ${value}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${benchmark}.json`);
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model };
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark, at: new Date().toISOString(), machine, rows, ratios, summary }, null, 2)}\n`,
  );
  console.log(`saved ${file}`);
}

export const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
