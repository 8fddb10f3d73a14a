import { spawnSync } from 'node:child_process';

export interface PromtoolResult {
  status: number;
  output: string;
}

/**
 * Runs Prometheus' `promtool`. Missing, it throws rather than letting rule tests pass unrun:
 * Debian ships it in the `prometheus` package, which `.ci/run` installs.
 */
export function promtool(args: string[], input?: string): PromtoolResult {
  const result = spawnSync('promtool', args, { encoding: 'utf8', input, timeout: 60_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('promtool is not on the PATH: install it with `apt-get install -y prometheus` (see .ci/run)');
  }
  if (result.error) throw result.error;
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}
