import type { Gauge } from 'prom-client';

/** A scrape must not wait on a saturated pool or an unreachable store. */
const SAMPLE_TIMEOUT_MS = 1_000;

/**
 * Has prom-client call `sample` on every scrape of `gauge`, so the value is read from the source of
 * truth (Postgres) rather than remembered by one process. The gauge is reset first and left empty when
 * the sample fails or takes longer than a second: absent, not stale. Returns the uninstaller.
 */
export function sampleAtScrape<T extends string>(
  gauge: Gauge<T>,
  sample: (gauge: Gauge<T>) => Promise<void>,
): () => void {
  const collect = async () => {
    gauge.reset();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, SAMPLE_TIMEOUT_MS)));
    try {
      await Promise.race([sample(gauge).catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  Object.assign(gauge, { collect });
  return () => {
    if ((gauge as { collect?: unknown }).collect === collect) Object.assign(gauge, { collect: undefined });
  };
}
