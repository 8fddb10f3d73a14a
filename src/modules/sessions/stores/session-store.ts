import type { Session } from '../session.js';

export type SessionStoreMode = 'redis' | 'postgres' | 'postgres-fallback';

/**
 * Where sessions live. Creation, revocation and every change of a session's binding reach
 * Postgres before returning; `find` and `touch` take the fast path the strategy offers.
 */
export interface SessionStore {
  /** Which store answers reads right now (metrics, health). */
  readonly mode: SessionStoreMode;
  create(session: Session): Promise<void>;
  find(tokenHash: string): Promise<Session | undefined>;
  /** Records activity; `session` already carries the new lastActivityAt/expiresAt. */
  touch(session: Session): Promise<void>;
  revoke(sessions: Pick<Session, 'id'>[], at: Date): Promise<void>;
  /** Marks a live session as needing re-authentication; false if it already was, or is no longer live. */
  requireReauthentication(session: Session, at: Date): Promise<boolean>;
  /** Stores `session`'s device fingerprint, metadata and re-authentication mark. */
  rebind(session: Session): Promise<void>;
  /** Moves buffered last-activity times to Postgres; returns how many sessions were updated. */
  syncActivity(): Promise<number>;
}

export const SESSION_STORE = Symbol('SESSION_STORE');
