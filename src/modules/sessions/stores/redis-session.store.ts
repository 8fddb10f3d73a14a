import { randomUUID } from 'node:crypto';
import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { RedisClient } from '../../../infrastructure/redis/redis-clients.js';
import type { Counter, Gauge } from 'prom-client';
import type { Clock } from '../clock.js';
import { isLive, Session } from '../session.js';
import type { RevokedSession, SessionRepository } from '../session.repository.js';
import type { CircuitBreaker } from '../../../common/circuit-breaker.js';
import { TimeoutQueue } from '../../../common/timeout-queue.js';
import { SubjectErasedError } from '../../encryption/subject-keys.js';
import type { SessionSealer } from '../session-sealer.js';
import type { SessionReads } from './session-reads.js';
import type { SessionStore, SessionStoreMode } from './session-store.js';

const PURGE_BATCH = 500;

type Attempt<T> = { ok: true; value: T } | { ok: false };

export interface RedisSessionStoreOptions {
  timeoutMs: number;
  idleSeconds: number;
  /** How often this replica deletes revoked sessions from Redis (`syncRevocations`). */
  revocationSyncMs: number;
  /** The deployment's Redis namespace (QUEUE_PREFIX): every key here starts with `<namespace>:`. */
  namespace: string;
  fallbacks: Counter<'operation'>;
  degraded: Gauge;
}

/**
 * Redis primary, Postgres backup. Creation and revocation go to Postgres first, then Redis;
 * reads (of a session this process does not hold in memory) and activity touches go to Redis and
 * fall back to Postgres within the same call when Redis errors or is slower than `timeoutMs`,
 * which opens the circuit: Redis is then skipped.
 *
 * A revocation also stays pending in Postgres until a replica has deleted it from Redis. Every
 * replica runs `syncRevocations` on a timer (not a cluster-wide job: the replica that can reach
 * Redis must not wait for one that cannot), so a DEL this replica could not make is made by
 * another within `revocationSyncMs`. The same sync is the only way out of an open circuit: Redis
 * answers reads again only after everything revoked meanwhile has been deleted from it. A session
 * marked for re-authentication or re-bound to another device is evicted the same way.
 *
 * Each Redis value is the whole session sealed by `SessionSealer` (bound to its key): one that
 * does not open is a miss, answered by Postgres and written again.
 */
export class RedisSessionStore implements SessionStore, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SessionStore');
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private stopped = false;
  /** A hash tag, so a sync batch renamed from it stays in its Cluster slot. */
  private readonly activityKey: string;
  private readonly timeouts: TimeoutQueue;

  constructor(
    private readonly redis: RedisClient,
    private readonly postgres: SessionRepository,
    private readonly reads: SessionReads,
    private readonly sealer: SessionSealer,
    private readonly breaker: CircuitBreaker,
    private readonly clock: Clock,
    private readonly options: RedisSessionStoreOptions,
  ) {
    this.activityKey = `${options.namespace}:{session-activity}`;
    this.timeouts = new TimeoutQueue(options.timeoutMs);
  }

  get mode(): SessionStoreMode {
    return this.breaker.isOpen ? 'postgres-fallback' : 'redis';
  }

  onApplicationBootstrap(): void {
    this.scheduleRevocationSync();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.syncing;
  }

  async create(session: Session): Promise<void> {
    await this.postgres.insert(session);
    const sealed = await this.sealed(session);
    await this.attempt('create', async () => sealed && this.cache(session, sealed, true));
  }

  /**
   * While Redis serves, a session this process read lately is answered from its memory, evicted by
   * every revocation's notification (`SessionReads`): no round trip per request. Otherwise Redis is
   * asked and, on a miss or an error, Postgres (through the same memory).
   */
  async find(tokenHash: string): Promise<Session | undefined> {
    if (this.breaker.isOpen || this.redis.status !== 'ready') {
      return this.read(tokenHash, () => this.reads.find(tokenHash));
    }
    return this.reads.through(tokenHash, () => this.read(tokenHash, () => this.postgres.findByTokenHash(tokenHash)));
  }

  private async read(
    tokenHash: string,
    fromPostgres: () => Promise<Session | undefined>,
  ): Promise<Session | undefined> {
    const cached = await this.attempt('find', () => this.redis.get(this.sessionKey(tokenHash)));
    const json = cached.ok && cached.value ? await this.sealer.openCached(tokenHash, cached.value) : undefined;
    if (json) return parse(json);
    const session = await fromPostgres();
    if (cached.ok && session && isLive(session, this.clock.now())) {
      const sealed = await this.sealed(session);
      if (sealed) await this.attempt('repopulate', () => this.cache(session, sealed, true));
    }
    return session;
  }

  async touch(session: Session): Promise<void> {
    const sealed = await this.sealed(session);
    const touched = await this.attempt('touch', () =>
      Promise.all([
        // XX: a touch racing a revocation must not put back the entry the revocation deleted.
        sealed && this.redis.set(this.sessionKey(session.tokenHash), sealed, 'PX', this.ttlMs(session), 'XX'),
        this.redis.hset(this.activityKey, session.tokenHash, String(session.lastActivityAt.getTime())),
      ]),
    );
    if (!touched.ok) await this.postgres.touch(session.tokenHash, session.lastActivityAt, session.expiresAt);
  }

  async revoke(sessions: Pick<Session, 'id'>[], at: Date): Promise<void> {
    const revoked = await this.postgres.revoke(
      sessions.map((s) => s.id),
      at,
      { redisPurgePending: true },
    );
    if (!revoked.length) return;
    this.reads.forget(revoked.map((s) => s.tokenHash));
    // Left pending even when this succeeds: the sync deletes them once more, which also undoes a
    // re-cache by a request that read the session from Postgres just before it was revoked.
    await this.attempt('revoke', () => this.purge(revoked));
  }

  async requireReauthentication(session: Session, at: Date): Promise<boolean> {
    const marked = await this.postgres.requireReauthentication(session, at, { redisPurgePending: true });
    await this.evict(marked);
    return marked.length > 0;
  }

  async rebind(session: Session): Promise<void> {
    await this.evict(await this.postgres.rebind(session, { redisPurgePending: true }));
  }

  /**
   * Deletes from Redis every session Postgres marks as pending purge, whoever revoked it, then
   * clears the mark. While the circuit is open this is also the trial (once the cooldown has
   * passed), and the circuit closes only after the purge. Returns how many were purged; a
   * Postgres error propagates and leaves the circuit as it was.
   */
  async syncRevocations(): Promise<number> {
    if (!this.breaker.mayTry()) return 0;
    const recovering = this.breaker.isOpen;
    // Also while closed: reads mostly come from memory, so a dead or slow Redis is noticed here.
    if (!(await this.call('revocation-sync', () => this.redis.ping())).ok) return 0;
    let purged = 0;
    for (;;) {
      const batch = await this.postgres.pendingRedisPurges(PURGE_BATCH);
      if (!batch.length) break;
      if (!(await this.call('revocation-sync', () => this.purge(batch))).ok) return purged;
      await this.postgres.clearRedisPurgePending(batch.map((s) => s.tokenHash));
      purged += batch.length;
      if (batch.length < PURGE_BATCH) break;
    }
    // Only this method calls Redis while the circuit is open, so nothing re-opened it meanwhile.
    if (recovering && this.breaker.close()) {
      this.reads.forgetAll();
      this.options.degraded.set(0);
      this.logger.log(`redis back: primary again (${purged} revoked sessions purged first)`);
    }
    return purged;
  }

  async syncActivity(): Promise<number> {
    // The batch shares the activity key's hash tag: same Cluster slot, so RENAME is allowed there.
    const batch = `${this.activityKey}:syncing:${randomUUID()}`;
    const moved = await this.attempt('sync', async () => {
      // RENAME is atomic: touches arriving during the sync land in a fresh hash.
      const renamed = await this.redis.rename(this.activityKey, batch).catch((error: Error) => {
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

  /**
   * One command per key, never a multi-key DEL or a MULTI: on a Cluster the keys live in different
   * slots. Nothing here needs atomicity (a partial purge stays pending and is made again), and
   * auto-pipelining still sends the commands for one node in one write.
   */
  private purge(sessions: RevokedSession[]): Promise<unknown> {
    const hashes = sessions.map((s) => s.tokenHash);
    const commands: Promise<unknown>[] = hashes.map((hash) => this.redis.del(this.sessionKey(hash)));
    commands.push(this.redis.hdel(this.activityKey, ...hashes));
    for (const userId of new Set(sessions.map((s) => s.userId))) {
      const members = sessions.filter((s) => s.userId === userId).map((s) => s.tokenHash);
      commands.push(this.redis.srem(this.userKey(userId), ...members));
    }
    return Promise.all(commands);
  }

  /** The session and its user's set are in different Cluster slots: two commands, not one MULTI. */
  private cache(session: Session, sealed: string, withUserSet: boolean): Promise<unknown> {
    const commands: Promise<unknown>[] = [
      this.redis.set(this.sessionKey(session.tokenHash), sealed, 'PX', this.ttlMs(session)),
    ];
    if (withUserSet) {
      const key = this.userKey(session.userId);
      // One key, one slot: this MULTI is fine on a Cluster.
      commands.push(
        this.redis.multi().sadd(key, session.tokenHash).pexpireat(key, session.absoluteExpiresAt.getTime()).exec(),
      );
    }
    return Promise.all(commands);
  }

  /** Changed in Postgres (still pending a purge there): out of this replica's memory and, if it can, Redis. */
  private async evict(changed: RevokedSession[]): Promise<void> {
    if (!changed.length) return;
    this.reads.forget(changed.map((s) => s.tokenHash));
    await this.attempt('evict', () => this.purge(changed));
  }

  private sessionKey(tokenHash: string): string {
    return `${this.options.namespace}:session:${tokenHash}`;
  }

  private userKey(userId: string): string {
    return `${this.options.namespace}:user-sessions:${userId}`;
  }

  /**
   * Sealed before any Redis call, so a key lookup never counts against Redis. Undefined while the
   * circuit is open (nothing would be written), and once the user is erased (a request racing the
   * erasure): nothing of theirs is cached again.
   */
  private async sealed(session: Session): Promise<string | undefined> {
    if (this.breaker.isOpen) return undefined;
    try {
      return await this.sealer.sealCached(session, serialize(session));
    } catch (error) {
      if (error instanceof SubjectErasedError) return undefined;
      throw error;
    }
  }

  private ttlMs(session: Session): number {
    return Math.max(1, session.expiresAt.getTime() - this.clock.now().getTime());
  }

  /** A Redis operation on the request path: skipped while the circuit is open. */
  private async attempt<T>(operation: string, work: () => Promise<T>): Promise<Attempt<T>> {
    const result: Attempt<T> = this.breaker.isOpen ? { ok: false } : await this.call(operation, work);
    if (!result.ok) this.options.fallbacks.inc({ operation });
    return result;
  }

  /** One Redis operation within the timeout; an error or a timeout opens the circuit. */
  private async call<T>(operation: string, work: () => Promise<T>): Promise<Attempt<T>> {
    try {
      const value = await this.timeouts.within(work(), () => new Error(`redis ${operation} timed out`));
      return { ok: true, value };
    } catch (error) {
      if (!this.breaker.isOpen) this.logger.warn(`redis unavailable (${(error as Error).message}): using Postgres`);
      this.breaker.failed();
      this.options.degraded.set(1);
      return { ok: false };
    }
  }

  private scheduleRevocationSync(): void {
    this.timer = setTimeout(() => {
      this.syncing = this.syncRevocations()
        .then((purged) => {
          if (purged) this.logger.debug(`deleted ${purged} revoked sessions from Redis`);
        })
        .catch((error: Error) => this.logger.warn(`revocation sync failed: ${error.message}`))
        .finally(() => {
          if (!this.stopped) this.scheduleRevocationSync();
        });
    }, this.options.revocationSyncMs);
  }
}

/** Times as epoch milliseconds: read on every request, and a number is cheaper to read than an ISO string. */
function serialize(session: Session): string {
  return JSON.stringify({
    ...session,
    createdAt: session.createdAt.getTime(),
    lastActivityAt: session.lastActivityAt.getTime(),
    expiresAt: session.expiresAt.getTime(),
    absoluteExpiresAt: session.absoluteExpiresAt.getTime(),
    revokedAt: session.revokedAt?.getTime() ?? null,
    reauthRequiredAt: session.reauthRequiredAt?.getTime() ?? null,
  });
}

/** Reads epoch milliseconds and, from entries written before they were, ISO strings. */
function parse(json: string): Session {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const date = (value: unknown) => (value ? new Date(value as number | string) : null);
  return {
    ...(raw as unknown as Session),
    createdAt: date(raw.createdAt) as Date,
    lastActivityAt: date(raw.lastActivityAt) as Date,
    expiresAt: date(raw.expiresAt) as Date,
    absoluteExpiresAt: date(raw.absoluteExpiresAt) as Date,
    revokedAt: date(raw.revokedAt),
    reauthRequiredAt: date(raw.reauthRequiredAt),
  };
}
