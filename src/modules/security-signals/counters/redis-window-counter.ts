import { Logger } from '@nestjs/common';
import type { RedisClient } from '../../../infrastructure/redis/redis-clients.js';
import { CircuitBreaker } from '../../../common/circuit-breaker.js';
import { InProcessWindowCounter } from './in-process-window-counter.js';
import type { WindowCounter } from './window-counter.js';

/** After a Redis failure, count in memory this long before trying Redis again. */
const RETRY_REDIS_AFTER_MS = 1_000;

type AddCommand = (key: string, by: number, windowMs: number) => Promise<number>;
const ADD = 'ckSignalWindowAdd';
/** INCRBY, and start the window's TTL on the hit that created the key. */
const ADD_SCRIPT = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total`;

/**
 * Windows in Redis, shared by every replica. Every write is mirrored in process, so when Redis
 * fails (which never fails the request) counting carries on from what this replica saw, until
 * Redis answers again: a session's last network, a subject's hits, the windows already fired.
 */
export class RedisWindowCounter implements WindowCounter {
  private readonly logger = new Logger('SecuritySignals');
  private readonly breaker = new CircuitBreaker(RETRY_REDIS_AFTER_MS);
  private readonly addInRedis: AddCommand;

  constructor(
    private readonly redis: RedisClient,
    private readonly local: InProcessWindowCounter,
  ) {
    // A defined command runs by EVALSHA: the script is sent once, not on every hit.
    if (!(ADD in redis)) redis.defineCommand(ADD, { numberOfKeys: 1, lua: ADD_SCRIPT });
    this.addInRedis = (redis as unknown as Record<typeof ADD, AddCommand>)[ADD].bind(redis);
  }

  add(key: string, by: number, windowMs: number): Promise<number> {
    return this.attempt(
      () => this.addInRedis(key, by, windowMs),
      () => this.local.add(key, by, windowMs),
    );
  }

  claim(key: string, windowMs: number): Promise<boolean> {
    return this.attempt(
      async () => (await this.redis.set(key, '1', 'PX', windowMs, 'NX')) === 'OK',
      () => this.local.claim(key, windowMs),
    );
  }

  swap(key: string, value: string, windowMs: number): Promise<string | undefined> {
    return this.attempt(
      async () => (await this.redis.set(key, value, 'PX', windowMs, 'GET')) ?? undefined,
      () => this.local.swap(key, value, windowMs),
    );
  }

  private async attempt<T>(inRedis: () => Promise<T>, inProcess: () => Promise<T>): Promise<T> {
    if (!this.breaker.mayTry()) return inProcess();
    try {
      const result = await inRedis();
      await inProcess();
      if (this.breaker.close()) this.logger.log('redis back: counting signal windows there again');
      return result;
    } catch (error) {
      if (!this.breaker.isOpen) this.logger.warn(`redis unavailable (${(error as Error).message}): counting in memory`);
      this.breaker.failed();
      return inProcess();
    }
  }
}
