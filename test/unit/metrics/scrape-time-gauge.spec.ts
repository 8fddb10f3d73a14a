import { Gauge, Registry } from 'prom-client';
import { sampleAtScrape } from '../../../src/modules/metrics/scrape-time-gauge.js';

describe('sampleAtScrape', () => {
  let registry: Registry;
  let gauge: Gauge<'key'>;
  const scrape = () => registry.metrics();

  beforeEach(() => {
    registry = new Registry();
    gauge = new Gauge({ name: 'test_sampled', help: 'test', labelNames: ['key'], registers: [registry] });
  });

  it('reads the source on every scrape', async () => {
    let value = 1;
    sampleAtScrape(gauge, async (g) => g.set({ key: 'a' }, value));
    expect(await scrape()).toContain('test_sampled{key="a"} 1');
    value = 2;
    expect(await scrape()).toContain('test_sampled{key="a"} 2');
  });

  it('leaves the gauge empty, not stale, when the source fails', async () => {
    let fail = false;
    sampleAtScrape(gauge, async (g) => {
      if (fail) throw new Error('database unreachable');
      g.set({ key: 'a' }, 1);
    });
    expect(await scrape()).toContain('test_sampled{key="a"} 1');
    fail = true;
    expect(await scrape()).not.toContain('test_sampled{');
  });

  it('answers the scrape within a second when the source hangs', async () => {
    sampleAtScrape(gauge, () => new Promise(() => undefined));
    const started = Date.now();
    expect(await scrape()).not.toContain('test_sampled{');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('stops sampling once uninstalled', async () => {
    const sample = jest.fn(async (g: Gauge<'key'>) => void g.set({ key: 'a' }, 1));
    const uninstall = sampleAtScrape(gauge, sample);
    await scrape();
    uninstall();
    await scrape();
    expect(sample).toHaveBeenCalledTimes(1);
  });
});
