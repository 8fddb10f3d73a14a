import { startApp, startServer, type ServerProcess } from '../lib/app-process';
import { load, type LoadResult, warmUp } from '../lib/load';
import { ratio, report } from '../lib/report';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Round {
  bare: LoadResult;
  nest: LoadResult;
  app: LoadResult;
}

/**
 * GET /health/live through the whole app vs a bare Fastify hello-world and a bare Nest app with
 * one controller (the floor of any Nest app), with server CPU per request. The three run side by
 * side and are measured in turn for ROUNDS rounds; the summary takes the median round by the
 * app's ratio to bare Fastify, so one load peak during one server's turn does not decide it.
 */
export async function healthLive(): Promise<void> {
  const servers: ServerProcess[] = [];
  try {
    const bare = await startServer('dist/bench/servers/bare-fastify.js');
    servers.push(bare);
    const nest = await startServer('dist/bench/servers/bare-nest.js');
    servers.push(nest);
    const app = await startApp();
    servers.push(app);
    for (const server of servers) await warmUp(`${server.url}/health/live`);
    const rounds: Round[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const measure = (name: string, server: ServerProcess) =>
        load(`round ${round}: ${name} GET /health/live`, `${server.url}/health/live`, {}, server.pid);
      rounds.push({
        bare: await measure('bare fastify', bare),
        nest: await measure('bare nest', nest),
        app: await measure('compliance-kit', app),
      });
    }
    summarize(rounds);
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}

function summarize(rounds: Round[]): void {
  const appOverBare = (round: Round) => ratio(round.app.requestsPerSecond, round.bare.requestsPerSecond);
  const median = [...rounds].sort((a, b) => appOverBare(a) - appOverBare(b))[Math.floor(rounds.length / 2)];
  const cpu = (row: LoadResult) => row.cpuUsPerRequest ?? NaN;
  const each = (pick: (round: Round) => number) => rounds.map(pick).join(' / ');
  report({
    benchmark: 'health-live',
    rows: rounds.flatMap((round) => [round.bare, round.nest, round.app]),
    ratios: {
      ...Object.fromEntries(rounds.map((round, i) => [`round ${i + 1}: app / bare req/s`, appOverBare(round)])),
      ...Object.fromEntries(
        rounds.map((round, i) => [
          `round ${i + 1}: bare nest / bare req/s`,
          ratio(round.nest.requestsPerSecond, round.bare.requestsPerSecond),
        ]),
      ),
      ...Object.fromEntries(
        rounds.map((round, i) => [`round ${i + 1}: app CPU µs over bare nest`, cpu(round.app) - cpu(round.nest)]),
      ),
    },
    summary: [
      {
        metric: `GET /health/live throughput (median of ${rounds.length} rounds; app/bare each round ${each(appOverBare)})`,
        value: median.app.requestsPerSecond,
        baseline: median.bare.requestsPerSecond,
        baselineLabel: 'bare Fastify',
        unit: 'req/s',
      },
      {
        metric: 'GET /health/live p99 latency',
        value: median.app.p99Ms,
        baseline: median.bare.p99Ms,
        baselineLabel: 'bare Fastify',
        unit: 'ms',
      },
      {
        metric: 'GET /health/live server CPU per request',
        value: cpu(median.app),
        baseline: cpu(median.nest),
        baselineLabel: 'bare Nest, one controller',
        unit: 'µs',
      },
    ],
  });
}
