import { Counter } from 'prom-client';
import { CachedRecordReader } from '../../../src/modules/compliance/records/cache/cached-record-reader';
import { LruRecordCache } from '../../../src/modules/compliance/records/cache/lru-record-cache';
import { RecordCache } from '../../../src/modules/compliance/records/cache/record-cache';
import { RecordResponse } from '../../../src/modules/compliance/records/dto/record.response';

const view = { id: 'r1', version: 1, score: 90 } as RecordResponse;

function reader(cache: RecordCache) {
  const counter = new Counter({ name: 'c', help: 'c', labelNames: ['result'], registers: [] });
  const count = async (result: string) =>
    (await counter.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  return { reader: new CachedRecordReader(cache, counter), count };
}

describe('CachedRecordReader', () => {
  it('loads once for concurrent misses of one id (single flight), then serves hits', async () => {
    const { reader: subject, count } = reader(new LruRecordCache(10, 60));
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

  it('reads from the database when the cache is down, and counts the errors', async () => {
    const broken: RecordCache = {
      kind: 'redis',
      get: () => Promise.reject(new Error('connection refused')),
      put: () => Promise.reject(new Error('connection refused')),
      invalidate: () => Promise.reject(new Error('connection refused')),
    };
    const { reader: subject, count } = reader(broken);
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
