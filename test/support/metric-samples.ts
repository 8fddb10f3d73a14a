/** One sample of a metric in Prometheus' text format: its label set as written, and its value. */
export interface MetricSample {
  labels: string;
  value: number;
}

const escaped = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every sample of `name` in a `/metrics` scrape (not its `_bucket`/`_sum` series, nor other metrics'). */
export function samplesOf(scrape: string, name: string): MetricSample[] {
  const line = new RegExp(`^${escaped(name)}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm');
  return [...scrape.matchAll(line)].map((match) => ({ labels: match[1] ?? '', value: Number(match[2]) }));
}

/** The sum over every label set of `name`. */
export const totalOf = (scrape: string, name: string): number =>
  samplesOf(scrape, name).reduce((sum, sample) => sum + sample.value, 0);
