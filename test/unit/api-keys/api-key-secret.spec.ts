import { createHash, timingSafeEqual } from 'node:crypto';
import {
  API_KEY_PATTERN,
  displayPrefix,
  hashApiKeySecret,
  lookupIdOf,
  newApiKeySecret,
  secretMatches,
} from '../../../src/modules/api-keys/api-key-secret';
import { withChecksum } from '../../support/builders/api-key.builder';

/** The documented scanner regex (docs/security.md), kept apart from the code's on purpose. */
const DOCUMENTED = /\bck_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}\b/;
describe('API key secrets', () => {
  it('have the documented shape: prefix, 12-character lookup id, 43 secret characters and a checksum', () => {
    const { secret, lookupId } = newApiKeySecret();
    expect(secret).toHaveLength(70);
    expect(secret).toMatch(API_KEY_PATTERN);
    expect(secret).toMatch(DOCUMENTED);
    expect(secret.startsWith(`ck_live_${lookupId}_`)).toBe(true);
    expect(withChecksum(secret.slice(0, -6))).toBe(secret);
  });

  it('carry at least 256 bits of randomness and never repeat', () => {
    expect(43 * Math.log2(62)).toBeGreaterThanOrEqual(256);
    const secrets = Array.from({ length: 1_000 }, () => newApiKeySecret());
    expect(new Set(secrets.map((s) => s.secret)).size).toBe(1_000);
    expect(new Set(secrets.map((s) => s.lookupId)).size).toBe(1_000);
    const characters = new Set(secrets.flatMap((s) => [...s.secret.slice(21, 64)]));
    expect(characters.size).toBe(62);
  });

  it('are stored as the SHA-256 of the whole key', () => {
    const { secret, hash } = newApiKeySecret();
    expect(hash.equals(createHash('sha256').update(secret).digest())).toBe(true);
    expect(hashApiKeySecret(secret).equals(hash)).toBe(true);
  });

  it('parse to their lookup id only with a valid checksum', () => {
    const { secret, lookupId } = newApiKeySecret();
    expect(lookupIdOf(secret)).toBe(lookupId);
    const position = 30;
    const flipped = secret.slice(0, position) + (secret[position] === 'a' ? 'b' : 'a') + secret.slice(position + 1);
    expect(lookupIdOf(flipped)).toBeUndefined();
    expect(lookupIdOf(secret.slice(0, -1))).toBeUndefined();
    expect(lookupIdOf(`${secret}x`)).toBeUndefined();
    expect(lookupIdOf(secret.replace('ck_live_', 'ck_test_'))).toBeUndefined();
    expect(lookupIdOf('')).toBeUndefined();
  });

  it('show only the prefix and lookup id in listings', () => {
    const { secret, lookupId } = newApiKeySecret();
    expect(displayPrefix(lookupId)).toBe(secret.slice(0, 20));
  });

  it('match only their own hash, and never when no hash was found', () => {
    const one = newApiKeySecret();
    const other = newApiKeySecret();
    expect(secretMatches(one.secret, one.hash)).toBe(true);
    expect(secretMatches(one.secret, other.hash)).toBe(false);
    expect(secretMatches(one.secret, undefined)).toBe(false);
    expect(timingSafeEqual(one.hash, hashApiKeySecret(one.secret))).toBe(true);
  });
});
