import { startApp, startServer } from '../lib/app-process';
import { load, warmUp } from '../lib/load';
import { ratio, report } from '../lib/report';

/**
 * GET /health/live through the whole app vs a bare Fastify hello-world and a bare Nest app with
 * one controller (the floor of any Nest app), in one run, with server CPU per request.
 */
export async function healthLive(): Promise<void> {
  const bare = await startServer('dist/bench/servers/bare-fastify.js');
  await warmUp(`${bare.url}/health/live`);
  const baseline = await load('bare fastify GET /health/live', `${bare.url}/health/live`, {}, bare.pid);
  await bare.stop();

  const nest = await startServer('dist/bench/servers/bare-nest.js');
  await warmUp(`${nest.url}/health/live`);
  const bareNest = await load('bare nest GET /health/live', `${nest.url}/health/live`, {}, nest.pid);
  await nest.stop();

  const app = await startApp();
  await warmUp(`${app.url}/health/live`);
  const measured = await load('compliance-kit GET /health/live', `${app.url}/health/live`, {}, app.pid);
  await app.stop();

  const cpu = (row: typeof measured) => row.cpuUsPerRequest ?? NaN;
  report({
    benchmark: 'health-live',
    rows: [baseline, bareNest, measured],
    ratios: {
      'app / bare req/s': ratio(measured.requestsPerSecond, baseline.requestsPerSecond),
      'bare nest / bare req/s': ratio(bareNest.requestsPerSecond, baseline.requestsPerSecond),
      'app / bare nest req/s': ratio(measured.requestsPerSecond, bareNest.requestsPerSecond),
      'bare / app CPU per request': ratio(cpu(baseline), cpu(measured)),
      'app CPU µs per request over bare nest': cpu(measured) - cpu(bareNest),
    },
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
      {
        metric: 'GET /health/live server CPU per request',
        value: cpu(measured),
        baseline: cpu(bareNest),
        baselineLabel: 'bare Nest, one controller',
        unit: 'µs',
      },
    ],
  });
}
