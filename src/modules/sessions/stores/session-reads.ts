import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { SessionTarget } from '../../../infrastructure/database/database-locator.js';
import type { Clock } from '../clock.js';
import { isLive, type Session } from '../session.js';
import type { SessionRepository } from '../session.repository.js';
import { LocalSessionCache } from './local-session-cache.js';
import { SessionRevocationListener } from './session-revocation-listener.js';

const MAX_CACHED_SESSIONS = 10_000;

export interface SessionCacheSettings {
  /** The database the listener connects to (the app's own) and how. */
  target: SessionTarget;
  ttlMs: number;
}

/**
 * Session reads from Postgres, through a per-process cache while revocations are heard
 * (`SessionRevocationListener`); without it every read goes to Postgres. A cached session that
 * looks expired is read again, since another replica may have extended it.
 */
export class SessionReads implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly cache?: LocalSessionCache;
  private readonly listener?: SessionRevocationListener;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly clock: Clock,
    settings?: SessionCacheSettings,
  ) {
    if (!settings) return;
    const cache = new LocalSessionCache(settings.ttlMs, MAX_CACHED_SESSIONS);
    this.cache = cache;
    this.listener = new SessionRevocationListener(
      settings.target,
      (tokenHashes) => cache.evict(tokenHashes),
      () => cache.clear(),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listener?.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener?.stop();
  }

  async find(tokenHash: string): Promise<Session | undefined> {
    return this.through(tokenHash, () => this.sessions.findByTokenHash(tokenHash));
  }

  /**
   * The live session this process holds for `tokenHash`, else `read()`'s answer, kept when live.
   * `read` is Postgres here and Redis for `RedisSessionStore`: either way revocations evict it.
   */
  async through(tokenHash: string, read: () => Promise<Session | undefined>): Promise<Session | undefined> {
    const cache = this.listener?.listening ? this.cache : undefined;
    if (!cache) return read();
    const now = this.clock.now();
    const cached = cache.get(tokenHash);
    if (cached && isLive(cached, now)) return afterThisTurn(cached);
    const generation = cache.generation;
    const session = await read();
    if (session && isLive(session, now)) cache.set(session, generation);
    return session;
  }

  /** This replica's own revocations leave the cache before the request returns, not when the notification comes. */
  forget(tokenHashes: string[]): void {
    this.cache?.evict(tokenHashes);
  }

  /** After a Redis outage: each session is read from Redis once more, which re-caches what it lost. */
  forgetAll(): void {
    this.cache?.clear();
  }
}

/**
 * Answers in the event loop's check phase, as a read from Redis did: the responses of every
 * request read in one turn then go out together, and a load balancer or sidecar on the same host
 * is woken once per batch, not once per response (on the bench machine that was 45 µs of CPU per
 * `GET /auth/session`; docs/ARCHITECTURE.md).
 */
function afterThisTurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => setImmediate(resolve, value));
}
