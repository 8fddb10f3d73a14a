import type { Redis } from 'ioredis';
import { InProcessWindowCounter } from '../../../src/modules/security-signals/counters/in-process-window-counter';
import { RedisWindowCounter } from '../../../src/modules/security-signals/counters/redis-window-counter';

/** A Redis whose every command fails, as while it is down; counts the calls that reached it. */
function deadRedis() {
  const calls = { count: 0 };
  const fail = async () => {
    calls.count++;
    throw new Error('Connection is closed.');
  };
  const redis = { defineCommand: () => undefined, ckSignalWindowAdd: fail, set: fail } as unknown as Redis;
  return { redis, calls };
}

describe('RedisWindowCounter while Redis is down', () => {
  it('counts, claims and swaps in process instead of failing', async () => {
    const { redis } = deadRedis();
    const counter = new RedisWindowCounter(redis, new InProcessWindowCounter(100));
    expect(await counter.add('k', 2, 60_000)).toBe(2);
    expect(await counter.add('k', 3, 60_000)).toBe(5);
    expect(await counter.claim('c', 60_000)).toBe(true);
    expect(await counter.claim('c', 60_000)).toBe(false);
    expect(await counter.swap('s', 'a', 60_000)).toBeUndefined();
    expect(await counter.swap('s', 'b', 60_000)).toBe('a');
  });

  it('stops asking Redis once it failed, until the retry delay has passed', async () => {
    const { redis, calls } = deadRedis();
    const counter = new RedisWindowCounter(redis, new InProcessWindowCounter(100));
    for (let i = 0; i < 20; i++) await counter.add('k', 1, 60_000);
    expect(calls.count).toBe(1);
  });
});
