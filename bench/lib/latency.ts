import { loadavg } from 'node:os';

/** Nearest-rank percentiles of a set of samples, rounded for a table. */
export interface Distribution {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function distribution(samples: number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted.at(-1) as number) };
}

/** The same percentiles named as latency columns, in milliseconds. */
export function latency(samples: number[]): { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number } {
  const { p50, p95, p99, max } = distribution(samples);
  return { p50Ms: p50, p95Ms: p95, p99Ms: p99, maxMs: max };
}

/** Milliseconds `work` took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Prints a progress line with the seconds since `since` and the machine's load (other work skews timings). */
export function progress(since: number, message: string): void {
  const seconds = ((performance.now() - since) / 1000).toFixed(1);
  console.log(`[${seconds} s, load ${loadavg()[0].toFixed(1)}] ${message}`);
}
