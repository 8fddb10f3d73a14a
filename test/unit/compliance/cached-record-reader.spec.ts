import { Counter } from 'prom-client';
import type { CatalogsService } from '../../../src/modules/catalogs/catalogs.service';
import { CachedRecordReader } from '../../../src/modules/compliance/records/cache/cached-record-reader';
import { LruRecordCache } from '../../../src/modules/compliance/records/cache/lru-record-cache';
import { CachedView, RecordCache } from '../../../src/modules/compliance/records/cache/record-cache';

const aView = (generation = '0'): CachedView => ({
  id: 'r1',
  version: 1,
  generation,
  json: '{"id":"r1","version":1}',
  evidenceNotes: null,
});

function reader(cache: RecordCache, graph = { generation: '0' as string | undefined }) {
  const counter = new Counter({ name: 'c', help: 'c', labelNames: ['result'], registers: [] });
  const count = async (result: string) =>
    (await counter.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  const catalogs = { controlGraphGeneration: async () => graph.generation } as CatalogsService;
  return { reader: new CachedRecordReader(cache, catalogs, counter), count };
}

describe('CachedRecordReader', () => {
  it('loads once for concurrent misses of one id (single flight), then serves hits', async () => {
    const { reader: subject, count } = reader(new LruRecordCache(10, 60));
    const view = aView();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return view;
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => subject.read('r1', load)));
    expect(results.every((r) => r === view)).toBe(true);
    expect(loads).toBe(1);
    await subject.read('r1', load);
    expect(loads).toBe(1);
    expect(await count('miss')).toBe(10);
    expect(await count('hit')).toBe(1);
  });

  it('misses a view built in an earlier control graph generation, and loads it in the current one', async () => {
    const graph = { generation: '0' as string | undefined };
    const { reader: subject, count } = reader(new LruRecordCache(10, 60), graph);
    const generations: string[] = [];
    const load = async (generation: string) => (generations.push(generation), aView(generation));
    await subject.read('r1', load);
    graph.generation = '1';
    expect((await subject.read('r1', load))?.generation).toBe('1');
    expect((await subject.read('r1', load))?.generation).toBe('1');
    expect(generations).toEqual(['0', '1']);
    expect(await count('hit')).toBe(1);
  });

  it('neither serves nor stores a view while the control graph generation is unknown', async () => {
    const graph = { generation: '0' as string | undefined };
    const cache = new LruRecordCache(10, 60);
    const { reader: subject } = reader(cache, graph);
    const puts = jest.spyOn(cache, 'put');
    let loads = 0;
    const load = async () => (loads++, aView());
    await subject.read('r1', load);
    graph.generation = undefined;
    await subject.read('r1', load);
    expect(loads).toBe(2);
    expect(puts).toHaveBeenCalledTimes(1);
  });

  it('reads from the database when the cache is down, and counts the errors', async () => {
    const broken: RecordCache = {
      kind: 'redis',
      get: () => Promise.reject(new Error('connection refused')),
      put: () => Promise.reject(new Error('connection refused')),
      invalidate: () => Promise.reject(new Error('connection refused')),
    };
    const { reader: subject, count } = reader(broken);
    const view = aView();
    expect(await subject.read('r1', async () => view)).toBe(view);
    await expect(subject.invalidate('r1', 2)).resolves.toBeUndefined();
    expect(await count('error')).toBe(3);
  });

  it('does not cache a record that does not exist', async () => {
    const cache = new LruRecordCache(10, 60);
    const { reader: subject } = reader(cache);
    expect(await subject.read('nope', async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
