import { startApp, startServer } from '../lib/app-process';
import { load, warmUp } from '../lib/load';
import { ratio, report } from '../lib/report';

/** GET /health/live through the whole app vs a bare Fastify hello-world, in one run. */
export async function healthLive(): Promise<void> {
  const bare = await startServer('dist/bench/servers/bare-fastify.js');
  await warmUp(`${bare.url}/health/live`);
  const baseline = await load('bare fastify GET /health/live', `${bare.url}/health/live`);
  await bare.stop();

  const app = await startApp();
  await warmUp(`${app.url}/health/live`);
  const measured = await load('compliance-kit GET /health/live', `${app.url}/health/live`);
  await app.stop();

  report({
    benchmark: 'health-live',
    rows: [baseline, measured],
    ratios: { 'app / bare req/s': ratio(measured.requestsPerSecond, baseline.requestsPerSecond) },
    summary: [
      {
        metric: 'GET /health/live throughput',
        value: measured.requestsPerSecond,
        baseline: baseline.requestsPerSecond,
        baselineLabel: 'bare Fastify',
        unit: 'req/s',
      },
      {
        metric: 'GET /health/live p99 latency',
        value: measured.p99Ms,
        baseline: baseline.p99Ms,
        baselineLabel: 'bare Fastify',
        unit: 'ms',
      },
    ],
  });
}
