import { createSecretKey, randomBytes } from 'node:crypto';
import { SubjectKeyCache } from '../../../src/modules/encryption/subject-key-cache';

const aKey = () => createSecretKey(randomBytes(32));

describe('SubjectKeyCache', () => {
  it('evicts the least recently used key beyond its size', () => {
    const cache = new SubjectKeyCache(2, 60_000);
    const [a, b, c] = [aKey(), aKey(), aKey()];
    cache.set('a', a);
    cache.set('b', b);
    expect(cache.get('a')).toBe(a);
    cache.set('c', c);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(a);
    expect(cache.get('c')).toBe(c);
    expect(cache.length).toBe(2);
  });

  it('forgets a key once its TTL has passed, and an erased subject is cached as null', () => {
    let now = 1_000;
    const cache = new SubjectKeyCache(10, 500, () => now);
    cache.set('a', aKey());
    cache.set('gone', null);
    now += 499;
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('gone')).toBeNull();
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('gone')).toBeUndefined();
  });

  it('holds nothing with a TTL of 0', () => {
    const cache = new SubjectKeyCache(10, 0);
    cache.set('a', aKey());
    expect(cache.get('a')).toBeUndefined();
  });

  it('does not cache a read that raced an eviction or a clear', () => {
    const cache = new SubjectKeyCache(10, 60_000);
    const before = cache.generation;
    cache.delete('a');
    cache.set('a', aKey(), before);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', aKey());
    const taken = cache.generation;
    cache.clear();
    expect(cache.get('b')).toBeUndefined();
    cache.set('b', aKey(), taken);
    expect(cache.length).toBe(0);
    cache.set('b', aKey(), cache.generation);
    expect(cache.length).toBe(1);
  });

  it('hands each key a delete or clear drops to onDropped, not an erased subject (null)', () => {
    const dropped: unknown[] = [];
    const cache = new SubjectKeyCache(10, 60_000, Date.now, (key) => dropped.push(key));
    const [a, b, c] = [aKey(), aKey(), aKey()];
    cache.set('a', a);
    cache.set('b', b);
    cache.set('c', c);
    cache.set('gone', null);
    cache.delete('a');
    cache.delete('missing');
    expect(dropped).toEqual([a]);
    cache.clear();
    expect(dropped).toEqual([a, b, c]);
  });
});
