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
  hits: number,
) => Promise<[number, number, number]>;
const COMMAND = 'ckThrottleAdd';
/** After a Redis failure, count in memory this long before trying Redis again. */
const RETRY_REDIS_AFTER_MS = 1_000;
/** How often the hits counted here are added to Redis. */
export const THROTTLE_SYNC_EVERY_MS = 100;
/** A window not synced for this long is asked of Redis again before this process decides on it. */
const FRESH_FOR_MS = 2 * THROTTLE_SYNC_EVERY_MS;
/** Limits this low (login) are always counted in Redis, hit by hit. */
const LOWEST_LIMIT_COUNTED_HERE = 100;
/** Windows this process keeps a view of; beyond it, hits go to Redis one by one. */
const WINDOWS_KEPT = 100_000;

/** Add ARGV[4] hits to the window counter, start its TTL when they opened it, set the block key once over the limit. */
const ADD_HITS = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[4])
if hits == tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3], 'NX') end
return { hits, ttl, redis.call('PTTL', KEYS[2]) }`;

/** What this process knows of one window in Redis. */
interface Window {
  readonly ttl: number;
  readonly limit: number;
  readonly blockDuration: number;
  /** The count in Redis at its last answer, this process's hits included. */
  counted: number;
  /** Hits sent to Redis and not answered yet. */
  inFlight: number;
  /** Hits counted here since, not sent yet. */
  unsent: number;
  resetAt: number;
  blockedUntil: number;
  syncedAt: number;
}

type Limits = Pick<Window, 'ttl' | 'limit' | 'blockDuration'>;
type Answer = [hits: number, ttlMs: number, blockMs: number];

/**
 * Rate-limit counters shared by all replicas in Redis, on the app's one Redis connection.
 *
 * A hit goes to Redis when it could decide something: the first of a window here, any past half
 * the limit, while blocked or stale, and every hit of a low limit (login). Below half a higher
 * limit this process counts the hit and adds its hits to Redis every 100 ms (one INCRBY per
 * window), so a busy client costs no round trip per request. One replica decides exactly as if
 * every hit went to Redis; across replicas a decision can miss only the hits other replicas took
 * in the last ~200 ms, which changes it only if those are more than half the limit.
 *
 * When Redis fails, counting continues per process in memory rather than failing requests, and
 * Redis is tried again after a second rather than on every request.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('Throttler');
  private readonly local = new LocalThrottlerStorage();
  private readonly breaker = new CircuitBreaker(RETRY_REDIS_AFTER_MS);
  private readonly windows = new Map<string, Window>();
  private syncTimer?: NodeJS.Timeout;

  private readonly addInRedis: ThrottleCommand;

  /** `namespace`: the deployment's Redis namespace (QUEUE_PREFIX), so deployments sharing a Redis count apart. */
  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
  ) {
    // A defined command runs by EVALSHA: the script is sent and hashed once, not on every request.
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: ADD_HITS });
    const command = (redis as unknown as Record<typeof COMMAND, ThrottleCommand>)[COMMAND];
    this.addInRedis = command.bind(redis);
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
    const now = Date.now();
    const window = this.windows.get(base);
    if (window && decidesHere(window, limit, now)) {
      window.unsent++;
      this.scheduleSync();
      return recordOf(window, now);
    }
    // This hit, with the ones counted here that are still in the window, if any.
    const sent = 1 + (window && window.resetAt > now ? window.unsent : 0);
    if (window) {
      window.unsent = 0;
      window.inFlight += sent;
    }
    try {
      const answer = await this.addInRedis(base, `${base}:blocked`, ttl, limit, blockDuration, sent);
      if (this.breaker.close()) this.logger.log('redis back: counting there again');
      const view = this.remember(base, { ttl, limit, blockDuration }, answer, window, sent);
      return recordOf(view, view.syncedAt);
    } catch (error) {
      this.redisFailed(error as Error);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  /** The view of a window after Redis answered for `sent` hits, which were in flight on `issuedOn`. */
  private remember(
    base: string,
    limits: Limits,
    [hits, ttlMs, blockMs]: Answer,
    issuedOn: Window | undefined,
    sent: number,
  ): Window {
    const now = Date.now();
    let window = this.windows.get(base);
    if (window && window === issuedOn) window.inFlight = Math.max(window.inFlight - sent, 0);
    if (!window || window.limit !== limits.limit) {
      window = { ...limits, counted: 0, inFlight: 0, unsent: 0, resetAt: 0, blockedUntil: 0, syncedAt: 0 };
      if (this.windows.size < WINDOWS_KEPT) this.windows.set(base, window);
      // Full: the sync forgets the windows that ended, which no hit may be left to trigger.
      else this.scheduleSync();
    }
    window.counted = hits;
    window.resetAt = now + Math.max(ttlMs, 0);
    window.blockedUntil = now + Math.max(blockMs, 0);
    window.syncedAt = now;
    return window;
  }

  private scheduleSync(): void {
    this.syncTimer ??= setTimeout(() => void this.sync(), THROTTLE_SYNC_EVERY_MS).unref();
  }

  /** Sends every window's unsent hits to Redis, and forgets windows that ended. */
  private async sync(): Promise<void> {
    this.syncTimer = undefined;
    // Closing or reconnecting: the next hit that needs Redis finds out, and opens the circuit.
    if (this.redis.status !== 'ready') return;
    const now = Date.now();
    const sending: Promise<unknown>[] = [];
    for (const [base, window] of this.windows) {
      if (window.resetAt <= now) {
        if (window.blockedUntil <= now && window.inFlight === 0) this.windows.delete(base);
      } else if (window.unsent > 0) {
        const sent = window.unsent;
        window.unsent = 0;
        window.inFlight += sent;
        sending.push(
          this.addInRedis(base, `${base}:blocked`, window.ttl, window.limit, window.blockDuration, sent).then(
            (answer) => this.remember(base, window, answer, window, sent),
          ),
        );
      }
    }
    await Promise.all(sending).catch((error: Error) => this.redisFailed(error));
  }

  private redisFailed(error: Error): void {
    if (!this.breaker.isOpen) this.logger.warn(`redis unavailable (${error.message}): counting in memory`);
    this.breaker.failed();
    // What was known of Redis is stale once it is back: its windows are asked again then.
    this.windows.clear();
  }
}

/** Whether this hit cannot change what Redis would decide, given its last answer. */
function decidesHere(window: Window, limit: number, now: number): boolean {
  return (
    limit >= LOWEST_LIMIT_COUNTED_HERE &&
    window.limit === limit &&
    window.resetAt > now &&
    window.blockedUntil <= now &&
    now - window.syncedAt < FRESH_FOR_MS &&
    (window.counted + window.inFlight + window.unsent + 1) * 2 <= limit
  );
}

function recordOf(window: Window, now: number): ThrottlerStorageRecord {
  const blockedMs = Math.max(window.blockedUntil - now, 0);
  return {
    totalHits: window.counted + window.inFlight + window.unsent,
    timeToExpire: Math.ceil(Math.max(window.resetAt - now, 0) / 1000),
    isBlocked: blockedMs > 0,
    timeToBlockExpire: Math.ceil(blockedMs / 1000),
  };
}
