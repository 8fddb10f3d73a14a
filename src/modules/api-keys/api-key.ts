import type { Role } from '../../common/auth/roles.js';

/** A machine client's credential. Its secrets (one current, others until their overlap ends) are stored hashed. */
export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  /** The user, or the admin key, that created it. */
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  /** Networks requests may come from, in Postgres' `cidr` text form; empty allows every address. */
  allowedCidrs: string[];
  revokedAt: Date | null;
}

/** One secret of a key: the current one has no expiry of its own; a superseded one lives until its overlap ends. */
export interface ApiKeySecretRow {
  lookupId: string;
  createdAt: Date;
  expiresAt: Date | null;
}

export interface ApiKeyWithSecrets extends ApiKey {
  /** Every secret not yet cleaned up, newest (the current one) first. */
  secrets: ApiKeySecretRow[];
}

/** What authenticating one presented secret needs: the key, and the stored hash and expiry of that secret. */
export interface StoredSecret {
  key: ApiKey;
  hash: Buffer;
  expiresAt: Date | null;
}

/** The key a request was authenticated with, and which of its secrets it presented. */
export interface AuthenticatedApiKey {
  key: ApiKey;
  lookupId: string;
  secretExpiresAt: Date | null;
}

export const isActive = (key: ApiKey, now: Date): boolean =>
  key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
