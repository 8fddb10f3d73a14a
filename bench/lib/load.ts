import autocannon from 'autocannon';
import { processCpuSeconds } from './process-cpu';

export type LoadResult = {
  name: string;
  requestsPerSecond: number;
  /** Completed requests. */
  total: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** Server CPU time per request, when the server's pid was given. */
  cpuUsPerRequest?: number;
};

export const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

/** One autocannon run against a loopback URL, bounded in time; `serverPid` adds CPU per request. */
export async function load(
  name: string,
  url: string,
  options: Partial<autocannon.Options> = {},
  serverPid?: number,
): Promise<LoadResult> {
  const cpuBefore = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS, ...options }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    run.on('response', () => void (lastResponseAt = performance.now()));
  });
  const cpuAfter = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
  const cpuUsPerRequest =
    cpuBefore === undefined || cpuAfter === undefined || !result.requests.total
      ? undefined
      : Math.round(((cpuAfter - cpuBefore) * 1e6) / result.requests.total);
  return {
    name,
    // autocannon notices the end only at its next one-second sample, so its duration (and the
    // mean of its samples) overstates a run bounded by `amount` by up to a second.
    requestsPerSecond: Math.round((result.requests.total * 1000) / (lastResponseAt - startedAt)),
    total: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    ...(cpuUsPerRequest === undefined ? {} : { cpuUsPerRequest }),
  };
}

const WARM_UP_SECONDS = 3;

/** Untimed load first, so a measured run compares compiled code paths, not a server's first seconds. */
export async function warmUp(url: string, options: Partial<autocannon.Options> = {}): Promise<void> {
  await autocannon({ url, connections: CONNECTIONS, ...options, duration: WARM_UP_SECONDS });
}
