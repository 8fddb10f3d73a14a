import type { Session } from '../session.js';
import type { SessionRepository } from '../session.repository.js';
import type { SessionReads } from './session-reads.js';
import type { SessionStore } from './session-store.js';

/** The embedded default (no Redis): Postgres is the only store, read through `SessionReads`. */
export class PostgresSessionStore implements SessionStore {
  readonly mode = 'postgres' as const;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly reads: SessionReads,
  ) {}

  create(session: Session): Promise<void> {
    return this.sessions.insert(session);
  }

  find(tokenHash: string): Promise<Session | undefined> {
    return this.reads.find(tokenHash);
  }

  touch(session: Session): Promise<void> {
    return this.sessions.touch(session.tokenHash, session.lastActivityAt, session.expiresAt);
  }

  async revoke(sessions: Pick<Session, 'id'>[], at: Date): Promise<void> {
    const revoked = await this.sessions.revoke(
      sessions.map((s) => s.id),
      at,
    );
    this.reads.forget(revoked.map((s) => s.tokenHash));
  }

  async requireReauthentication(session: Session, at: Date): Promise<boolean> {
    const marked = await this.sessions.requireReauthentication(session, at);
    this.reads.forget(marked.map((s) => s.tokenHash));
    return marked.length > 0;
  }

  async rebind(session: Session): Promise<void> {
    const rebound = await this.sessions.rebind(session);
    this.reads.forget(rebound.map((s) => s.tokenHash));
  }

  async syncActivity(): Promise<number> {
    return 0;
  }
}
