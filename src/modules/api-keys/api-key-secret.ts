import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Recognisable by secret scanners; says nothing about the key. */
export const API_KEY_PREFIX = 'ck_live_';
export const LOOKUP_ID_LENGTH = 12;
/** 43 base62 characters carry 43 · log2(62) ≈ 256.03 bits. */
const SECRET_LENGTH = 43;
const CHECKSUM_LENGTH = 6;

/**
 * `ck_live_<lookup id: 12 base62>_<secret: 43 base62><checksum: 6 base62>`, 70 characters. The
 * checksum is the CRC-32 of everything before it, so a scanner can tell a real key shape from noise
 * without asking us. Documented in docs/security.md; keep the two in step.
 */
export const API_KEY_PATTERN = /^ck_live_([0-9A-Za-z]{12})_[0-9A-Za-z]{43}([0-9A-Za-z]{6})$/;

function randomBase62(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[randomInt(ALPHABET.length)];
  return text;
}

function checksum(body: string): string {
  let value = crc32(body);
  let text = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    text = ALPHABET[value % 62] + text;
    value = Math.floor(value / 62);
  }
  return text;
}

export interface NewSecret {
  /** The whole key, shown to the client once. */
  secret: string;
  lookupId: string;
  hash: Buffer;
}

export function newApiKeySecret(): NewSecret {
  const lookupId = randomBase62(LOOKUP_ID_LENGTH);
  const body = `${API_KEY_PREFIX}${lookupId}_${randomBase62(SECRET_LENGTH)}`;
  const secret = body + checksum(body);
  return { secret, lookupId, hash: hashApiKeySecret(secret) };
}

/** The lookup id of a well-formed key with a valid checksum; undefined for anything else. */
export function lookupIdOf(secret: string): string | undefined {
  const match = API_KEY_PATTERN.exec(secret);
  if (!match) return undefined;
  return checksum(secret.slice(0, -CHECKSUM_LENGTH)) === match[2] ? match[1] : undefined;
}

/** What a listing shows of a secret: enough to tell keys apart, nothing to use. */
export const displayPrefix = (lookupId: string): string => `${API_KEY_PREFIX}${lookupId}`;

/**
 * SHA-256, not a slow password hash: the secret is 256 random bits, so there is nothing to guess
 * and a slow hash would only slow every request down.
 */
export const hashApiKeySecret = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** Compared against when the lookup id is unknown, so unknown and wrong keys do the same work. */
const NO_SUCH_SECRET = hashApiKeySecret(`${API_KEY_PREFIX}no-such-key`);

/** Constant-time comparison of the presented key with a stored hash (or the stand-in when none was found). */
export function secretMatches(secret: string, storedHash: Buffer | undefined): boolean {
  const matched = timingSafeEqual(hashApiKeySecret(secret), storedHash ?? NO_SUCH_SECRET);
  return matched && storedHash !== undefined;
}
