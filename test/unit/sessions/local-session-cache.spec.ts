import { LocalSessionCache } from '../../../src/modules/sessions/stores/local-session-cache';
import type { Session } from '../../../src/modules/sessions/session';

const aSession = (tokenHash: string) => ({ tokenHash }) as Session;

describe('LocalSessionCache', () => {
  let now: number;
  let cache: LocalSessionCache;
  beforeEach(() => {
    now = 0;
    cache = new LocalSessionCache(1_000, 2, () => now);
  });

  it('keeps a session for the time to live', () => {
    cache.set(aSession('a'), cache.generation);
    now = 999;
    expect(cache.get('a')?.tokenHash).toBe('a');
    now = 1_000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses a session read before an eviction, whichever session was evicted', () => {
    const generation = cache.generation;
    cache.evict(['other']);
    cache.set(aSession('a'), generation);
    expect(cache.get('a')).toBeUndefined();
    cache.set(aSession('a'), cache.generation);
    expect(cache.get('a')?.tokenHash).toBe('a');
  });

  it('evicts named sessions, and everything on clear', () => {
    cache.set(aSession('a'), cache.generation);
    cache.set(aSession('b'), cache.generation);
    cache.evict(['a']);
    expect([cache.get('a'), cache.get('b')?.tokenHash]).toEqual([undefined, 'b']);
    cache.clear();
    expect(cache.get('b')).toBeUndefined();
  });

  it('drops the oldest entry beyond its capacity', () => {
    for (const hash of ['a', 'b', 'c']) cache.set(aSession(hash), cache.generation);
    expect(['a', 'b', 'c'].map((hash) => cache.get(hash)?.tokenHash)).toEqual([undefined, 'b', 'c']);
  });
});
