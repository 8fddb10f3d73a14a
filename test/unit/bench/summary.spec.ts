import { renderResults, SavedBenchmark } from '../../../bench/lib/summary';

const machine = { node: 'v24.21.0', cpus: 2, cpu: 'AMD EPYC' };

describe('renderResults (bench/RESULTS.md)', () => {
  it('lists each headline metric with its same-run baseline and the ratio', () => {
    const results: SavedBenchmark[] = [
      {
        benchmark: 'health-live',
        at: '2026-11-24T17:00:00.000Z',
        machine,
        summary: [{ metric: 'throughput', value: 7000, baseline: 60000, baselineLabel: 'bare Fastify', unit: 'req/s' }],
      },
    ];
    const markdown = renderResults(results);
    expect(markdown).toContain('| benchmark | metric | value | baseline | ratio | measured |');
    expect(markdown).toContain(
      '| health-live | throughput | 7000 req/s | 60000 req/s (bare Fastify) | 0.12 | 2026-11-24 17:00 |',
    );
    expect(markdown).toContain('Node v24.21.0, 2 × AMD EPYC');
  });

  it('still shows the ratios of a benchmark that saved no summary rows', () => {
    const markdown = renderResults([
      { benchmark: 'cache', at: '2026-11-24T17:00:00.000Z', machine, ratios: { 'redis / postgres p99': 0.2 } },
    ]);
    expect(markdown).toContain('| cache | redis / postgres p99 | — | — | 0.2 | 2026-11-24 17:00 |');
  });
});
