import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';

interface Window {
  hits: number;
  resetAt: number;
  blockedUntil: number;
}

const SWEEP_EVERY_MS = 10_000;

/**
 * Fixed-window counters in this process, with the semantics of the Redis script: the embedded
 * default's storage and the fallback while Redis is down. Constant work per hit, where the
 * library's in-memory storage keeps (and filters) one timestamp per hit in the window.
 */
export class LocalThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private nextSweepAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    this.sweep(now);
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    if (!window) {
      window = { hits: 0, resetAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, window);
    } else if (window.resetAt <= now) {
      window.hits = 0;
      window.resetAt = now + ttl;
    }
    window.hits++;
    if (window.hits > limit && window.blockedUntil <= now) window.blockedUntil = now + blockDuration;
    const blockedMs = Math.max(window.blockedUntil - now, 0);
    return Promise.resolve({
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.resetAt - now) / 1000),
      isBlocked: blockedMs > 0,
      timeToBlockExpire: Math.ceil(blockedMs / 1000),
    });
  }

  /** Drops windows that ended and blocks that expired, so idle clients do not stay in memory. */
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_EVERY_MS;
    for (const [id, window] of this.windows) {
      if (window.resetAt <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
  }
}
