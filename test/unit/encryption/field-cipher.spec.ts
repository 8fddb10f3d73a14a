import { randomBytes } from 'node:crypto';
import { DecryptionError, FieldCipher } from '../../../src/modules/encryption/field-cipher';
import { Keyring } from '../../../src/modules/encryption/keyring';
import { aCipher, aKeyring } from '../../support/builders/keyring.builder';

describe('FieldCipher', () => {
  const aad = 'users.email';

  it.each([
    ['ascii email', 'jane@example.com'],
    ['empty string', ''],
    ['unicode address', 'Straße 5, 東京, 🏠'],
    ['ssn', '123-45-6789'],
    ['long text', 'x'.repeat(100_000)],
  ])('round-trips %s', (_, plaintext) => {
    const cipher = aCipher('k1');
    expect(cipher.decrypt(cipher.encrypt(plaintext, aad), aad)).toBe(plaintext);
  });

  it('writes v1:<keyId>:<base64url(iv ‖ tag ‖ ciphertext)> with a fresh IV every time', () => {
    const cipher = aCipher('k7');
    const first = cipher.encrypt('same', aad);
    const second = cipher.encrypt('same', aad);
    expect(first).toMatch(/^v1:k7:[A-Za-z0-9_-]+$/);
    expect(Buffer.from(first.split(':')[2], 'base64url')).toHaveLength(12 + 16 + 4);
    expect(first).not.toBe(second);
  });

  it('uses a distinct IV for every value, also across refills of its pool of random bytes', () => {
    const cipher = aCipher('k1');
    const stored = Array.from({ length: 1_000 }, (_, i) => cipher.encrypt(`note ${i}`, aad));
    const ivs = stored.map((value) => Buffer.from(value.split(':')[2], 'base64url').subarray(0, 12).toString('hex'));
    expect(new Set(ivs).size).toBe(1_000);
    expect(stored.map((value) => cipher.decrypt(value, aad))).toEqual(stored.map((_, i) => `note ${i}`));
  });

  it('refuses a ciphertext copied into another column (AAD mismatch)', () => {
    const cipher = aCipher('k1');
    const stored = cipher.encrypt('123-45-6789', 'users.ssn');
    expect(() => cipher.decrypt(stored, 'users.phone')).toThrow(
      expect.objectContaining({ reason: 'tampered', keyId: 'k1' }),
    );
  });

  it('refuses a ciphertext under a different key with the same id', () => {
    const stored = aCipher('k1').encrypt('secret', aad);
    expect(() => aCipher('k1').decrypt(stored, aad)).toThrow(DecryptionError);
  });

  it('names an unknown key id instead of returning garbage', () => {
    const stored = aCipher('gone').encrypt('secret', aad);
    expect(() => aCipher('k1').decrypt(stored, aad)).toThrow(
      expect.objectContaining({ reason: 'unknown-key', keyId: 'gone' }),
    );
  });

  it('detects a flipped bit in the ciphertext', () => {
    const cipher = aCipher('k1');
    const [v, id, payload] = cipher.encrypt('secret', aad).split(':');
    const raw = Buffer.from(payload, 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => cipher.decrypt(`${v}:${id}:${raw.toString('base64url')}`, aad)).toThrow(
      expect.objectContaining({ reason: 'tampered' }),
    );
  });

  it.each(['plaintext', 'v2:k1:abc', 'v1:k1:', 'v1:k1:AAAA', 'v1:k1:a:b'])('rejects malformed %p', (stored) => {
    expect(() => aCipher('k1').decrypt(stored, aad)).toThrow(DecryptionError);
  });

  it('never puts the plaintext in an error message', () => {
    const cipher = aCipher('k1');
    const stored = cipher.encrypt('jane@example.com', aad);
    try {
      cipher.decrypt(stored, 'users.other');
      throw new Error('should have failed');
    } catch (error) {
      expect((error as Error).message).not.toContain('jane');
    }
  });

  it('decrypts old ciphertexts after a new key becomes active', () => {
    const keyring = aKeyring('k1');
    const cipher = new FieldCipher(keyring);
    const old = cipher.encrypt('secret', aad);
    keyring.add('k2', randomBytes(32));
    keyring.activate('k2');
    expect(cipher.encrypt('secret', aad)).toMatch(/^v1:k2:/);
    expect(cipher.decrypt(old, aad)).toBe('secret');
  });

  it('computes the same blind index for differently cased and padded emails, and a different one per key', () => {
    const cipher = aCipher('k1');
    expect(cipher.blindIndex('  Jane@Example.COM ')).toBe(cipher.blindIndex('jane@example.com'));
    expect(cipher.blindIndex('jane@example.com')).toMatch(/^[0-9a-f]{64}$/);
    expect(aCipher('k1').blindIndex('jane@example.com')).not.toBe(cipher.blindIndex('jane@example.com'));
  });

  it('reports operations by key id to its observer', () => {
    const observed: string[] = [];
    const cipher = new FieldCipher(aKeyring('k1'), { observe: (op, keyId) => observed.push(`${op}:${keyId}`) });
    cipher.decrypt(cipher.encrypt('x', aad), aad);
    expect(observed).toEqual(['encrypt:k1', 'decrypt:k1']);
  });

  it('rejects keys of the wrong size', () => {
    expect(() => new Keyring({ k1: randomBytes(16) }, 'k1', randomBytes(32))).toThrow(/32 bytes/);
  });
});
