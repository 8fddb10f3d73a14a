import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Counter, Gauge } from 'prom-client';
import type { Clock } from '../clock.js';
import { isLive, Session } from '../session.js';
import type { SessionRepository } from '../session.repository.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { SessionStore, SessionStoreMode } from './session-store.js';

const sessionKey = (tokenHash: string) => `ck:session:${tokenHash}`;
const userKey = (userId: string) => `ck:user-sessions:${userId}`;
const ACTIVITY_KEY = 'ck:session-activity';

type Attempt<T> = { ok: true; value: T } | { ok: false };

export interface RedisSessionStoreOptions {
  timeoutMs: number;
  idleSeconds: number;
  fallbacks: Counter<'operation'>;
  degraded: Gauge;
}

/**
 * Redis primary, Postgres backup. Creation and revocation go to Postgres first, then Redis;
 * reads and activity touches go to Redis and fall back to Postgres within the same call when
 * Redis errors or is slower than `timeoutMs`. The circuit breaker keeps a dead Redis from
 * costing every request a timeout; after an outage, sessions revoked meanwhile are purged from
 * Redis and the others are re-cached lazily on their next read.
 */
export class RedisSessionStore implements SessionStore {
  private readonly logger = new Logger('SessionStore');

  constructor(
    private readonly redis: Redis,
    private readonly postgres: SessionRepository,
    private readonly breaker: CircuitBreaker,
    private readonly clock: Clock,
    private readonly options: RedisSessionStoreOptions,
  ) {}

  get mode(): SessionStoreMode {
    return this.breaker.isOpen ? 'postgres-fallback' : 'redis';
  }

  async create(session: Session): Promise<void> {
    await this.postgres.insert(session);
    await this.attempt('create', () => this.cache(session, true));
  }

  async find(tokenHash: string): Promise<Session | undefined> {
    const cached = await this.attempt('find', () => this.redis.get(sessionKey(tokenHash)));
    if (cached.ok && cached.value) return parse(cached.value);
    const session = await this.postgres.findByTokenHash(tokenHash);
    if (cached.ok && session && isLive(session, this.clock.now())) {
      await this.attempt('repopulate', () => this.cache(session, true));
    }
    return session;
  }

  async touch(session: Session): Promise<void> {
    const touched = await this.attempt('touch', () =>
      this.redis
        .multi()
        .set(sessionKey(session.tokenHash), JSON.stringify(session), 'PX', this.ttlMs(session))
        .hset(ACTIVITY_KEY, session.tokenHash, String(session.lastActivityAt.getTime()))
        .exec(),
    );
    if (!touched.ok) await this.postgres.touch(session.tokenHash, session.lastActivityAt, session.expiresAt);
  }

  async revoke(sessions: Pick<Session, 'id' | 'userId'>[], at: Date): Promise<void> {
    const hashes = await this.postgres.revoke(
      sessions.map((s) => s.id),
      at,
    );
    if (!hashes.length) return;
    await this.attempt('revoke', async () => {
      const pipeline = this.redis
        .multi()
        .del(...hashes.map(sessionKey))
        .hdel(ACTIVITY_KEY, ...hashes);
      for (const userId of new Set(sessions.map((s) => s.userId))) pipeline.srem(userKey(userId), ...hashes);
      return pipeline.exec();
    });
  }

  async syncActivity(): Promise<number> {
    const batch = `${ACTIVITY_KEY}:syncing:${randomUUID()}`;
    const moved = await this.attempt('sync', async () => {
      // RENAME is atomic: touches arriving during the sync land in a fresh hash.
      const renamed = await this.redis.rename(ACTIVITY_KEY, batch).catch((error: Error) => {
        if (/no such key/i.test(error.message)) return undefined;
        throw error;
      });
      if (!renamed) return {};
      const entries = await this.redis.hgetall(batch);
      await this.redis.del(batch);
      return entries;
    });
    if (!moved.ok) return 0;
    const activity = Object.entries(moved.value).map(([tokenHash, ms]) => ({ tokenHash, at: new Date(Number(ms)) }));
    return this.postgres.touchMany(activity, this.options.idleSeconds);
  }

  private async cache(session: Session, withUserSet: boolean): Promise<unknown> {
    const pipeline = this.redis
      .multi()
      .set(sessionKey(session.tokenHash), JSON.stringify(session), 'PX', this.ttlMs(session));
    if (withUserSet) {
      pipeline
        .sadd(userKey(session.userId), session.tokenHash)
        .pexpireat(userKey(session.userId), session.absoluteExpiresAt.getTime());
    }
    return pipeline.exec();
  }

  private ttlMs(session: Session): number {
    return Math.max(1, session.expiresAt.getTime() - this.clock.now().getTime());
  }

  private async attempt<T>(operation: string, work: () => Promise<T>): Promise<Attempt<T>> {
    if (!this.breaker.allows()) {
      this.options.fallbacks.inc({ operation });
      return { ok: false };
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        work(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`redis ${operation} timed out`)), this.options.timeoutMs);
        }),
      ]);
      if (this.breaker.succeeded()) await this.recover();
      return { ok: true, value };
    } catch (error) {
      if (!this.breaker.isOpen) this.logger.warn(`redis unavailable (${(error as Error).message}): using Postgres`);
      this.breaker.failed();
      this.options.degraded.set(1);
      this.options.fallbacks.inc({ operation });
      return { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Redis is back: drop whatever was revoked while it could not be told. */
  private async recover(): Promise<void> {
    const since = this.breaker.outageStartedAt;
    if (!since) return;
    const revoked = await this.postgres.revokedSince(since);
    if (revoked.length) await this.redis.del(...revoked.map((r) => sessionKey(r.tokenHash)));
    this.breaker.recovered();
    this.options.degraded.set(0);
    this.logger.log(`redis back: primary again (${revoked.length} sessions revoked meanwhile purged)`);
  }
}

function parse(json: string): Session {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const date = (value: unknown) => (value ? new Date(value as string) : null);
  return {
    ...(raw as unknown as Session),
    createdAt: date(raw.createdAt) as Date,
    lastActivityAt: date(raw.lastActivityAt) as Date,
    expiresAt: date(raw.expiresAt) as Date,
    absoluteExpiresAt: date(raw.absoluteExpiresAt) as Date,
    revokedAt: date(raw.revokedAt),
  };
}
