import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import type { RedisClient } from '../../infrastructure/redis/redis-clients.js';
import { CircuitBreaker } from '../../common/circuit-breaker.js';
import { LocalThrottlerStorage } from './local-throttler.storage.js';

type ThrottleCommand = (
  key: string,
  blockKey: string,
  ttl: number,
  limit: number,
  blockDuration: number,
) => Promise<[number, number, number]>;
const COMMAND = 'ckThrottleIncrement';
/** After a Redis failure, count in memory this long before trying Redis again. */
const RETRY_REDIS_AFTER_MS = 1_000;

/** INCR the window counter, start its TTL on first hit, set the block key once over the limit. */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3], 'NX') end
return { hits, ttl, redis.call('PTTL', KEYS[2]) }`;

/**
 * Rate-limit counters shared by all replicas in Redis, on the app's one Redis connection.
 * When Redis fails, counting continues per process in memory rather than failing requests, and
 * Redis is tried again after a second rather than on every request.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('Throttler');
  private readonly local = new LocalThrottlerStorage();
  private readonly breaker = new CircuitBreaker(RETRY_REDIS_AFTER_MS);

  private readonly incrementInRedis: ThrottleCommand;

  /** `namespace`: the deployment's Redis namespace (QUEUE_PREFIX), so deployments sharing a Redis count apart. */
  constructor(
    redis: RedisClient,
    private readonly namespace: string,
  ) {
    // A defined command runs by EVALSHA: the script is sent and hashed once, not on every request.
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: INCREMENT });
    const command = (redis as unknown as Record<typeof COMMAND, ThrottleCommand>)[COMMAND];
    this.incrementInRedis = command.bind(redis);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (!this.breaker.mayTry()) return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    // One hash tag for the counter and its block key: one Cluster slot for the script's two keys.
    const base = `${this.namespace}:throttle:{${throttlerName}:${key}}`;
    try {
      const blockKey = `${base}:blocked`;
      const [hits, ttlMs, blockMs] = await this.incrementInRedis(base, blockKey, ttl, limit, blockDuration);
      if (this.breaker.close()) this.logger.log('redis back: counting there again');
      return {
        totalHits: hits,
        timeToExpire: Math.ceil(Math.max(ttlMs, 0) / 1000),
        isBlocked: blockMs > 0,
        timeToBlockExpire: Math.ceil(Math.max(blockMs, 0) / 1000),
      };
    } catch (error) {
      if (!this.breaker.isOpen) this.logger.warn(`redis unavailable (${(error as Error).message}): counting in memory`);
      this.breaker.failed();
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }
}
