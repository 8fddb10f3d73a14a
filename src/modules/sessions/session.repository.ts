import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Session } from './session.js';
import { REVOCATION_CHANNEL } from './stores/session-revocation-listener.js';

export type RevokedSession = Pick<Session, 'tokenHash' | 'userId'>;

/**
 * `session_store` in Postgres. Written outside the request transaction on purpose: a session
 * created or revoked must stick even if the rest of the request fails.
 */
@Injectable()
export class SessionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(s: Session): Promise<void> {
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
        s.ip,
        s.userAgent,
        s.deviceFingerprint,
        s.metadata,
      ],
    );
  }

  async findByTokenHash(tokenHash: string): Promise<Session | undefined> {
    const [row] = await this.dataSource.query(`SELECT * FROM session_store WHERE token_hash = $1`, [tokenHash]);
    return row ? toSession(row) : undefined;
  }

  async findById(id: string): Promise<Session | undefined> {
    const [row] = await this.dataSource.query(`SELECT * FROM session_store WHERE id = $1`, [id]);
    return row ? toSession(row) : undefined;
  }

  /** Unrevoked, unexpired sessions of a user, newest first (idx_sessions_user_active). */
  async listLive(userId: string, now: Date): Promise<Session[]> {
    const rows = await this.dataSource.query(
      `SELECT * FROM session_store WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
        ORDER BY created_at DESC`,
      [userId, now],
    );
    return rows.map(toSession);
  }

  /**
   * Marks sessions revoked; returns those that were still live. With `redisPurgePending` they stay
   * marked until a replica has deleted them from Redis (`clearRedisPurgePending`). The same
   * statement notifies REVOCATION_CHANNEL with their token hashes (100 per notification, under the
   * 8000-byte payload limit): delivered to every listening replica if and only if it commits.
   */
  async revoke(ids: string[], at: Date, { redisPurgePending = false } = {}): Promise<RevokedSession[]> {
    if (!ids.length) return [];
    const rows: { token_hash: string; user_id: string }[] = await this.dataSource.query(
      `WITH revoked AS (
         UPDATE session_store SET revoked_at = $2, redis_purge_pending = $3
          WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL RETURNING token_hash, user_id),
       notified AS (
         SELECT pg_notify($4, string_agg(token_hash, ',')) FROM (
           SELECT token_hash, (row_number() OVER ()) / 100 AS chunk FROM revoked) numbered
         GROUP BY chunk)
       SELECT token_hash, user_id FROM revoked, (SELECT count(*) FROM notified) sent`,
      [ids, at, redisPurgePending, REVOCATION_CHANNEL],
    );
    return rows.map((r) => ({ tokenHash: r.token_hash, userId: r.user_id }));
  }

  /** Revoked sessions not yet known to be gone from Redis, oldest first (idx_sessions_redis_purge_pending). */
  async pendingRedisPurges(limit: number): Promise<RevokedSession[]> {
    const rows: { token_hash: string; user_id: string }[] = await this.dataSource.query(
      `SELECT token_hash, user_id FROM session_store WHERE redis_purge_pending ORDER BY revoked_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ tokenHash: r.token_hash, userId: r.user_id }));
  }

  async clearRedisPurgePending(tokenHashes: string[]): Promise<void> {
    await this.dataSource.query(
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
}

function toSession(row: Record<string, unknown>): Session {
  return {
    id: row.id as string,
    tokenHash: row.token_hash as string,
    userId: row.user_id as string,
    role: row.role as Session['role'],
    createdAt: row.created_at as Date,
    lastActivityAt: row.last_activity_at as Date,
    expiresAt: row.expires_at as Date,
    absoluteExpiresAt: row.absolute_expires_at as Date,
    revokedAt: (row.revoked_at as Date | null) ?? null,
    ip: (row.ip as string | null) ?? null,
    userAgent: (row.user_agent as string | null) ?? null,
    deviceFingerprint: row.device_fingerprint as string,
    metadata: (row.metadata as Record<string, unknown>) ?? {},
  };
}
