import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Session } from './session.js';
import { type SealedOrigin, SessionSealer } from './session-sealer.js';
import { REVOCATION_CHANNEL } from './stores/session-revocation-listener.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

/** A session whose cached copies (Redis, other replicas' memory) must go. */
export type RevokedSession = Pick<Session, 'tokenHash' | 'userId'>;

/**
 * `session_store` in Postgres. Written outside the request transaction on purpose: a session
 * created or revoked must stick even if the rest of the request fails. IP, user agent and
 * metadata are sealed by `SessionSealer` under the user's key; nothing else in a row is personal.
 */
@QueryOwner()
@Injectable()
export class SessionRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sealer: SessionSealer,
  ) {}

  async insert(s: Session): Promise<void> {
    const sealed = await this.sealer.sealOrigin(s);
    await this.dataSource.query(
      `INSERT INTO session_store (id, token_hash, user_id, role, created_at, last_activity_at, expires_at,
         absolute_expires_at, ip, user_agent, device_fingerprint, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        s.id,
        s.tokenHash,
        s.userId,
        s.role,
        s.createdAt,
        s.lastActivityAt,
        s.expiresAt,
        s.absoluteExpiresAt,
        sealed.ip,
        sealed.user_agent,
        s.deviceFingerprint,
        sealed.metadata,
      ],
    );
  }

  async findByTokenHash(tokenHash: string): Promise<Session | undefined> {
    const [row] = await this.dataSource.query(`SELECT * FROM session_store WHERE token_hash = $1`, [tokenHash]);
    return row ? this.toSession(row) : undefined;
  }

  async findById(id: string): Promise<Session | undefined> {
    const [row] = await this.dataSource.query(`SELECT * FROM session_store WHERE id = $1`, [id]);
    return row ? this.toSession(row) : undefined;
  }

  /** Unrevoked, unexpired sessions of a user, newest first (idx_sessions_user_active). */
  async listLive(userId: string, now: Date): Promise<Session[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT * FROM session_store WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
        ORDER BY created_at DESC`,
      [userId, now],
    );
    return Promise.all(rows.map((row) => this.toSession(row)));
  }

  async listAll(userId: string): Promise<Session[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT * FROM session_store WHERE user_id = $1 ORDER BY created_at DESC`,
      [userId],
    );
    return Promise.all(rows.map((row) => this.toSession(row)));
  }

  /** Drops the sealed origin of every session of a user (the rows stay, revoked, until cleanup). */
  async wipeOrigins(userId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE session_store SET ip = NULL, user_agent = NULL, metadata = NULL WHERE user_id = $1`,
      [userId],
    );
  }

  /**
   * Marks sessions revoked; returns those that were still live. With `redisPurgePending` they stay
   * marked until a replica has deleted them from Redis (`clearRedisPurgePending`).
   */
  revoke(ids: string[], at: Date, { redisPurgePending = false } = {}): Promise<RevokedSession[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.evicting(
      `UPDATE session_store SET revoked_at = $2, redis_purge_pending = $3
        WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL`,
      [ids, at, redisPurgePending],
    );
  }

  /**
   * Marks a live session as needing re-authentication; returns it if this call marked it. Its
   * cached copies are evicted like a revocation's, and its buffered activity is kept here first.
   */
  requireReauthentication(session: Session, at: Date, { redisPurgePending = false } = {}): Promise<RevokedSession[]> {
    return this.evicting(
      `UPDATE session_store
          SET reauth_required_at = $2, redis_purge_pending = redis_purge_pending OR $3,
              last_activity_at = greatest(last_activity_at, $4), expires_at = greatest(expires_at, $5)
        WHERE id = $1 AND revoked_at IS NULL AND reauth_required_at IS NULL`,
      [session.id, at, redisPurgePending, session.lastActivityAt, session.expiresAt],
    );
  }

  /** Writes a live session's device fingerprint, metadata and re-authentication mark; evicts its cached copies. */
  async rebind(session: Session, { redisPurgePending = false } = {}): Promise<RevokedSession[]> {
    const metadata = await this.sealer.sealMetadata(session);
    return this.evicting(
      `UPDATE session_store
          SET device_fingerprint = $2, metadata = $3, reauth_required_at = $4,
              redis_purge_pending = redis_purge_pending OR $5,
              last_activity_at = greatest(last_activity_at, $6), expires_at = greatest(expires_at, $7)
        WHERE id = $1 AND revoked_at IS NULL`,
      [
        session.id,
        session.deviceFingerprint,
        metadata,
        session.reauthRequiredAt,
        redisPurgePending,
        session.lastActivityAt,
        session.expiresAt,
      ],
    );
  }

  /**
   * Sessions not yet known to be gone from Redis: revoked (oldest first), then re-bound or marked
   * for re-authentication (idx_sessions_redis_purge_pending).
   */
  async pendingRedisPurges(limit: number): Promise<RevokedSession[]> {
    const rows: { token_hash: string; user_id: string }[] = await this.dataSource.query(
      `SELECT token_hash, user_id FROM session_store WHERE redis_purge_pending ORDER BY revoked_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ tokenHash: r.token_hash, userId: r.user_id }));
  }

  /**
   * Notifies like a revocation: a replica that read the changed session from Redis before the purge
   * (and keeps it in memory) drops it now that Redis no longer has it.
   */
  async clearRedisPurgePending(tokenHashes: string[]): Promise<void> {
    await this.evicting(
      `UPDATE session_store SET redis_purge_pending = false WHERE token_hash = ANY($1::text[]) AND redis_purge_pending`,
      [tokenHashes],
    );
  }

  async touch(tokenHash: string, lastActivityAt: Date, expiresAt: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE session_store SET last_activity_at = $2, expires_at = $3
        WHERE token_hash = $1 AND last_activity_at < $2`,
      [tokenHash, lastActivityAt, expiresAt],
    );
  }

  /** Applies many last-activity times at once; sliding expiry recomputed, never beyond the absolute one. */
  async touchMany(activity: { tokenHash: string; at: Date }[], idleSeconds: number): Promise<number> {
    if (!activity.length) return 0;
    const [, affected]: [unknown[], number] = await this.dataSource.query(
      `UPDATE session_store s
          SET last_activity_at = v.at,
              expires_at = least(s.absolute_expires_at, v.at + make_interval(secs => $3))
         FROM unnest($1::text[], $2::timestamptz[]) AS v(token_hash, at)
        WHERE s.token_hash = v.token_hash AND s.last_activity_at < v.at AND s.revoked_at IS NULL`,
      [activity.map((a) => a.tokenHash), activity.map((a) => a.at), idleSeconds],
    );
    return affected;
  }

  /**
   * Deletes sessions expired or revoked before `before`; returns how many. A revocation Redis has
   * not heard of yet is kept: its row is the only record that the cache entry must go.
   */
  async deleteEnded(before: Date): Promise<number> {
    const [, affected]: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM session_store WHERE (expires_at < $1 OR revoked_at < $1) AND NOT redis_purge_pending`,
      [before],
    );
    return affected;
  }

  /**
   * Runs `update` (an UPDATE of session_store) and, in the same statement, notifies
   * REVOCATION_CHANNEL with the changed rows' token hashes (100 per notification, under the
   * 8000-byte payload limit): delivered to every listening replica if and only if it commits.
   */
  private async evicting(update: string, params: unknown[]): Promise<RevokedSession[]> {
    const rows: { token_hash: string; user_id: string }[] = await this.dataSource.query(
      `WITH changed AS (${update} RETURNING token_hash, user_id),
       notified AS (
         SELECT pg_notify($${params.length + 1}, string_agg(token_hash, ',')) FROM (
           SELECT token_hash, (row_number() OVER ()) / 100 AS chunk FROM changed) numbered
         GROUP BY chunk)
       SELECT token_hash, user_id FROM changed, (SELECT count(*) FROM notified) sent`,
      [...params, REVOCATION_CHANNEL],
    );
    return rows.map((r) => ({ tokenHash: r.token_hash, userId: r.user_id }));
  }

  private async toSession(row: Record<string, unknown>): Promise<Session> {
    const id = row.id as string;
    const origin = await this.sealer.openOrigin(id, row.user_id as string, {
      ip: (row.ip as string | null) ?? null,
      user_agent: (row.user_agent as string | null) ?? null,
      metadata: (row.metadata as string | null) ?? null,
    } satisfies SealedOrigin);
    return {
      id,
      tokenHash: row.token_hash as string,
      userId: row.user_id as string,
      role: row.role as Session['role'],
      createdAt: row.created_at as Date,
      lastActivityAt: row.last_activity_at as Date,
      expiresAt: row.expires_at as Date,
      absoluteExpiresAt: row.absolute_expires_at as Date,
      revokedAt: (row.revoked_at as Date | null) ?? null,
      reauthRequiredAt: (row.reauth_required_at as Date | null) ?? null,
      deviceFingerprint: row.device_fingerprint as string,
      ...origin,
    };
  }
}
