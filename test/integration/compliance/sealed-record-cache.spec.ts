import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { LruRecordCache } from '../../../src/modules/compliance/records/cache/lru-record-cache';
import { CachedView, recordCacheKey } from '../../../src/modules/compliance/records/cache/record-cache';
import { RedisRecordCache } from '../../../src/modules/compliance/records/cache/redis-record-cache';
import { SealedRecordCache } from '../../../src/modules/compliance/records/cache/sealed-record-cache';
import { cachedView } from '../../../src/modules/compliance/records/cache/cached-view';
import { aCipher } from '../../support/builders/keyring.builder';
import { TEST_REDIS_URL } from '../../support/database';

const NOTES = 'Interviewed Jane Roe, DPO, phone +44 20 7946 0958';

const aView = (id: string, evidenceNotes: string | null = NOTES): CachedView =>
  cachedView(
    {
      id,
      entityId: 'org-1',
      framework: 'GDPR',
      controlId: 'Art.32',
      status: 'passed',
      score: 90,
      details: {},
      evidenceNotes,
      assessedAt: '2026-11-20T10:00:00.000Z',
      createdAt: '2026-11-20T10:00:00.000Z',
      updatedAt: '2026-11-20T10:00:00.000Z',
      version: 1,
    },
    '0',
  );

describe('SealedRecordCache over Redis', () => {
  const client = new Redis(TEST_REDIS_URL);
  const cipher = aCipher('k1');
  const cache = new SealedRecordCache(new RedisRecordCache(client, 60, 'ck'), cipher);
  afterAll(() => client.quit());

  it('stores evidence notes in Redis only as ciphertext and serves them decrypted', async () => {
    const id = randomUUID();
    await cache.put(aView(id));
    const raw = (await client.get(recordCacheKey('ck', id))) as string;
    expect(raw).not.toContain('Jane Roe');
    expect(raw.slice(0, raw.indexOf('\n')).split('\t')[2]).toMatch(/^"v2:k1:/);
    expect(await cache.get(id)).toEqual({ version: 1, view: aView(id) });
  });

  it("treats another record's entry copied under this record's key as a miss: cached notes are bound to the record id", async () => {
    const [source, target] = [randomUUID(), randomUUID()];
    await cache.put(aView(source));
    await client.set(
      recordCacheKey('ck', target),
      (await client.get(recordCacheKey('ck', source))) as string,
      'EX',
      60,
    );
    expect(await cache.get(target)).toBeUndefined();
    expect((await cache.get(source))?.view?.evidenceNotes).toBe(NOTES);
  });

  it('keeps records without notes as they are', async () => {
    const id = randomUUID();
    await cache.put(aView(id, null));
    expect(await cache.get(id)).toEqual({ version: 1, view: aView(id, null) });
  });

  it('treats a cached value it can no longer decrypt (key retired) as a miss', async () => {
    const id = randomUUID();
    await cache.put(aView(id));
    const withOtherKeys = new SealedRecordCache(new RedisRecordCache(client, 60, 'ck'), aCipher('k2'));
    expect(await withOtherKeys.get(id)).toBeUndefined();
  });
});

describe('SealedRecordCache over the in-process LRU', () => {
  it('holds no plaintext notes in memory', async () => {
    const inner = new LruRecordCache(10, 60);
    const cache = new SealedRecordCache(inner, aCipher('k1'));
    const id = randomUUID();
    await cache.put(aView(id));
    expect(JSON.stringify(await inner.get(id))).not.toContain('Jane Roe');
    expect((await cache.get(id))?.view?.evidenceNotes).toBe(NOTES);
  });
});
