import type { Role } from '../../common/auth/roles.js';

/** One login. `tokenHash` is the SHA-256 of the bearer token; the token itself is never stored. */
export interface Session {
  id: string;
  tokenHash: string;
  userId: string;
  role: Role;
  createdAt: Date;
  lastActivityAt: Date;
  /** Sliding expiry: min(lastActivityAt + idle timeout, absoluteExpiresAt). */
  expiresAt: Date;
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
  ip: string | null;
  userAgent: string | null;
  deviceFingerprint: string;
  metadata: Record<string, unknown>;
}

export function isLive(session: Session, now: Date): boolean {
  return session.revokedAt === null && now < session.expiresAt && now < session.absoluteExpiresAt;
}

export function slide(session: Session, at: Date, idleSeconds: number): void {
  session.lastActivityAt = at;
  session.expiresAt = new Date(Math.min(at.getTime() + idleSeconds * 1000, session.absoluteExpiresAt.getTime()));
}
