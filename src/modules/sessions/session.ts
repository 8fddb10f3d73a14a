import type { Role } from '../../common/auth/roles.js';

/** What a session records about itself besides its timestamps; stored encrypted, like its origin. */
export interface SessionMetadata {
  /** How the session was established. */
  method?: 'password';
  /** A name the client gave this device at login, shown in session listings. */
  deviceName?: string;
  /** When the password was last proven again (POST /auth/reauthenticate), ISO 8601. */
  reauthenticatedAt?: string;
}

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
  /** Set (step-up mode) when a request came from another device: refused until the password is proven again. */
  reauthRequiredAt: Date | null;
  ip: string | null;
  userAgent: string | null;
  /** HMAC of the device traits (`DeviceFingerprints`), never the traits themselves. */
  deviceFingerprint: string;
  metadata: SessionMetadata;
}

export function isLive(session: Session, now: Date): boolean {
  return session.revokedAt === null && now < session.expiresAt && now < session.absoluteExpiresAt;
}

export function slide(session: Session, at: Date, idleSeconds: number): void {
  session.lastActivityAt = at;
  session.expiresAt = new Date(Math.min(at.getTime() + idleSeconds * 1000, session.absoluteExpiresAt.getTime()));
}
