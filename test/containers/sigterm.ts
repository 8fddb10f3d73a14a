import { equal, ok } from 'node:assert/strict';
import { type AppEndpoint, eventually, readiness } from './checks.js';
import { Docker } from './docker.js';
import { Stack } from './stack.js';

/**
 * `compose stop app` sends SIGTERM (through tini, PID 1): readiness must turn 503 draining while the
 * app still answers, the process must exit 0 before the stop grace period ends in SIGKILL (exit 137),
 * and the log must show the drain from its start to `stopped`.
 */
export async function stopsCleanly(stack: Stack, docker: Docker, app: AppEndpoint): Promise<string> {
  const container = await stack.containerOf('app');
  const started = performance.now();
  const stopping = stack.stop('app');
  const first = await eventually('readiness changing after SIGTERM', 15_000, async () => {
    const answer = await readiness(app);
    return answer.status === 200 ? undefined : answer;
  });
  await stopping;
  const seconds = (performance.now() - started) / 1000;
  equal(first.status, 503, `readiness went from 200 to ${first.status}, not to 503`);
  ok(first.type?.endsWith('/problems/draining'), `readiness 503 of type ${first.type}, not draining`);
  const [exitCode, oomKilled] = (await docker.inspect(container, '{{.State.ExitCode}} {{.State.OOMKilled}}')).split(
    ' ',
  );
  equal(exitCode, '0', `the app exited ${exitCode}`);
  equal(oomKilled, 'false');
  const logs = await docker.logs(container);
  const drain = ['SIGTERM received: draining', '"msg":"stopped"'];
  for (const line of drain) ok(logs.includes(line), `the app's log lacks ${line}`);
  return `readiness 503 draining, exit 0 after ${seconds.toFixed(1)} s, log: "${drain[0]}" ... "stopped"`;
}
