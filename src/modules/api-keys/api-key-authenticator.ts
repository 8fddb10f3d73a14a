import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../../common/auth/roles.js';
import type { SecuritySeverity } from '../../common/security-events.js';
import { type ApiKey, type AuthenticatedApiKey, isActive } from './api-key.js';
import { API_KEY_PREFIX, lookupIdOf, secretMatches } from './api-key-secret.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { allowedFrom } from './cidr.js';

/** `last_used_at` is written at most this often per key. */
export const LAST_USED_GRANULARITY_MS = 60_000;

export type ApiKeyRefusal =
  | 'two-credentials'
  | 'malformed'
  | 'unknown'
  | 'wrong-secret'
  | 'revoked'
  | 'expired'
  | 'secret-expired'
  | 'outside-allowed-cidrs';

export type ApiKeyCheck =
  | { ok: true; apiKey: AuthenticatedApiKey; principal: AuthenticatedUser }
  | { ok: false; reason: ApiKeyRefusal; severity: SecuritySeverity; keyId?: string; lookupId?: string };

const BEARER = /^Bearer (\S+)$/;

/**
 * The API key a request presents: `X-API-Key: <key>`, or `Authorization: Bearer <key>` when the
 * token has the key prefix (session tokens never do). Null when it presents one in a way we
 * refuse (both headers at once); undefined when it presents none.
 */
function presentedKey(request: FastifyRequest): string | null | undefined {
  const header = request.headers['x-api-key'];
  const bearer = BEARER.exec(request.headers.authorization ?? '')?.[1];
  if (header !== undefined) return bearer !== undefined || Array.isArray(header) ? null : header;
  return bearer?.startsWith(API_KEY_PREFIX) ? bearer : undefined;
}

/**
 * Checks the API key a request presents, once per request: the rate limiter (which counts per key)
 * and the guard (which admits or refuses) both ask, and share the answer. Every check reads
 * Postgres, so a revocation is in force on every replica as soon as it commits.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly checks = new WeakMap<FastifyRequest, Promise<ApiKeyCheck>>();
  /** When this process last wrote `last_used_at` per key, so a busy key costs no write per request. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly keys: ApiKeysRepository) {}

  /** True when the request carries an API key (however malformed) rather than a session token. */
  presents(request: FastifyRequest): boolean {
    return presentedKey(request) !== undefined;
  }

  /** The check of the request's key; undefined when it presents none. */
  authenticate(request: FastifyRequest): Promise<ApiKeyCheck> | undefined {
    const secret = presentedKey(request);
    if (secret === undefined) return undefined;
    let check = this.checks.get(request);
    if (!check) {
      check = secret === null ? Promise.resolve(refused('two-credentials')) : this.check(secret, request.ip);
      this.checks.set(request, check);
    }
    return check;
  }

  async check(secret: string, ip: string, now = new Date()): Promise<ApiKeyCheck> {
    const lookupId = lookupIdOf(secret);
    if (!lookupId) return refused('malformed');
    const stored = await this.keys.findSecret(lookupId);
    // One hash and one constant-time comparison whether the lookup id exists or not.
    if (!secretMatches(secret, stored?.hash) || !stored) {
      return refused(stored ? 'wrong-secret' : 'unknown', { keyId: stored?.key.id, lookupId });
    }
    const { key } = stored;
    const known = { keyId: key.id, lookupId };
    if (key.revokedAt) return refused('revoked', known);
    if (!isActive(key, now)) return refused('expired', known);
    if (stored.expiresAt && stored.expiresAt <= now) return refused('secret-expired', known);
    // A correct secret from the wrong network is a leaked key until proven otherwise.
    if (!allowedFrom(key.allowedCidrs, ip)) return refused('outside-allowed-cidrs', known, 'critical');
    await this.touch(key, now);
    return {
      ok: true,
      apiKey: { key, lookupId, secretExpiresAt: stored.expiresAt },
      principal: { kind: 'api-key', id: key.id, role: key.role },
    };
  }

  private async touch(key: ApiKey, now: Date): Promise<void> {
    const last = Math.max(key.lastUsedAt?.getTime() ?? 0, this.touched.get(key.id) ?? 0);
    if (now.getTime() - last < LAST_USED_GRANULARITY_MS) return;
    this.touched.set(key.id, now.getTime());
    await this.keys.touch(key.id, now, LAST_USED_GRANULARITY_MS);
  }
}

function refused(
  reason: ApiKeyRefusal,
  ids: { keyId?: string; lookupId?: string } = {},
  severity: SecuritySeverity = 'warning',
): ApiKeyCheck {
  return { ok: false, reason, severity, ...ids };
}
