import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The least a bearer-token session check does, shared by the bare servers: hash the token, read
 * the session sealed with AES-256-GCM bound to that hash (as the app's Redis store keeps it), open
 * it and check its expiry. No rate limit, device check or fallback.
 */
export type BareSession = Record<string, string | number> & { expiresAt: number };

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,128})$/;
const key = randomBytes(32);

export const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The hash of the bearer token in an `authorization` header, if it holds one. */
export function presentedHash(authorization: string | undefined): string | undefined {
  const token = BEARER.exec(authorization ?? '')?.[1];
  return token ? hashOf(token) : undefined;
}

export function seal(plaintext: string, binding: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(binding));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function open(sealed: Buffer, binding: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12)).setAAD(Buffer.from(binding));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}

/** A session shaped like the app's, live for an hour. */
export function benchSession(): BareSession {
  const now = Date.now();
  return {
    id: '0193a0c2-7d1e-7a55-9a51-2b7f3c9d4e10',
    userId: '0193a0c2-7d1e-7a55-9a51-2b7f3c9d4e11',
    role: 'admin',
    createdAt: now,
    lastActivityAt: now,
    expiresAt: now + 3_600_000,
    absoluteExpiresAt: now + 3_600_000,
    ip: '127.0.0.1',
    userAgent: 'compliance-kit-bench',
    deviceFingerprint: hashOf('compliance-kit-bench|en'),
  };
}

/** Sessions sealed in Redis under `prefix<token hash>`. */
export class RedisSessions {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async seed(token: string, session: BareSession): Promise<void> {
    const tokenHash = hashOf(token);
    await this.redis.set(this.prefix + tokenHash, seal(JSON.stringify(session), tokenHash), 'PX', 3_600_000);
  }

  /** The live session behind a token hash, or undefined. */
  async find(tokenHash: string): Promise<BareSession | undefined> {
    const sealed = await this.redis.getBuffer(this.prefix + tokenHash);
    const session = sealed ? (JSON.parse(open(sealed, tokenHash)) as BareSession) : undefined;
    return session && session.expiresAt > Date.now() ? session : undefined;
  }

  forget(token: string): Promise<number> {
    return this.redis.del(this.prefix + hashOf(token));
  }
}
