import { createSecretKey, randomBytes } from 'node:crypto';
import { FieldCipher, type RowIdentity } from '../../../src/modules/encryption/field-cipher';
import { aKeyring } from '../../support/builders/keyring.builder';
import { failureOf } from '../../support/decryption-failure';

const ROW: RowIdentity = { table: 'session-cache', column: 'session', id: 'a'.repeat(43) };
const SUBJECT = '3ba19932-225a-402f-8f4f-cd30a0d6fcb0';

/** A cipher whose observer lists what it decrypted (each entry an actual AES-GCM open). */
function observedCipher() {
  const decrypts: string[] = [];
  const cipher = new FieldCipher(aKeyring('k1'), {
    observe: (operation, keyId) => {
      if (operation === 'decrypt') decrypts.push(keyId);
    },
  });
  return { cipher, decrypts };
}

describe('FieldCipher, a value opened again', () => {
  it('returns the same plaintext without decrypting the same stored value twice', () => {
    const { cipher, decrypts } = observedCipher();
    const stored = cipher.encryptRow('{"user":"erin"}', ROW);
    expect(cipher.decryptRow(stored, ROW)).toBe('{"user":"erin"}');
    expect(cipher.decryptRow(stored, ROW)).toBe('{"user":"erin"}');
    expect(decrypts).toEqual(['k1']);
    const next = cipher.encryptRow('{"user":"erin","seen":2}', ROW);
    expect(cipher.decryptRow(next, ROW)).toBe('{"user":"erin","seen":2}');
    expect(decrypts).toEqual(['k1', 'k1']);
  });

  it('still refuses a tampered value, another row, and a key removed from the keyring', () => {
    const keyring = aKeyring('k1', 'k2');
    const cipher = new FieldCipher(keyring);
    const stored = cipher.encryptRow('secret', ROW, 'k1');
    expect(cipher.decryptRow(stored, ROW)).toBe('secret');
    const [version, keyId, payload] = stored.split(':');
    const raw = Buffer.from(payload, 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(failureOf(() => cipher.decryptRow(`${version}:${keyId}:${raw.toString('base64url')}`, ROW))).toBe(
      'tampered',
    );
    expect(failureOf(() => cipher.decryptRow(stored, { ...ROW, id: 'b'.repeat(43) }))).toBe('tampered');
    expect(cipher.decryptRow(stored, ROW)).toBe('secret');
    keyring.remove('k1');
    expect(failureOf(() => cipher.decryptRow(stored, ROW))).toBe('unknown-key');
  });

  it('under a subject key, opens only with that key object: another key for the same subject fails', () => {
    const { cipher, decrypts } = observedCipher();
    const subject = { subjectId: SUBJECT, key: createSecretKey(randomBytes(32)) };
    const stored = cipher.encryptForSubject('198.51.100.7', ROW, subject);
    expect(cipher.decryptForSubject(stored, ROW, subject)).toBe('198.51.100.7');
    expect(cipher.decryptForSubject(stored, ROW, subject)).toBe('198.51.100.7');
    expect(decrypts).toEqual(['subject']);
    const replaced = { subjectId: SUBJECT, key: createSecretKey(randomBytes(32)) };
    expect(failureOf(() => cipher.decryptForSubject(stored, ROW, replaced))).toBe('tampered');
  });

  it('forgets what a subject key opened once the key is dropped (erasure)', () => {
    const { cipher, decrypts } = observedCipher();
    const subject = { subjectId: SUBJECT, key: createSecretKey(randomBytes(32)) };
    const stored = cipher.encryptForSubject('198.51.100.7', ROW, subject);
    cipher.decryptForSubject(stored, ROW, subject);
    cipher.forgetOpened(subject.key);
    cipher.decryptForSubject(stored, ROW, subject);
    expect(decrypts).toEqual(['subject', 'subject']);
  });

  it('keeps a bounded number of rows per key: the least recently opened is decrypted again', () => {
    const { cipher, decrypts } = observedCipher();
    const rows = Array.from({ length: 4_097 }, (_, i) => ({ ...ROW, id: `row-${i}` }));
    const stored = rows.map((row) => cipher.encryptRow('x', row));
    rows.forEach((row, i) => cipher.decryptRow(stored[i], row));
    expect(decrypts).toHaveLength(4_097);
    cipher.decryptRow(stored[4_096], rows[4_096]);
    expect(decrypts).toHaveLength(4_097);
    cipher.decryptRow(stored[0], rows[0]);
    expect(decrypts).toHaveLength(4_098);
  });

  it('decrypts a long value every time rather than keep it', () => {
    const { cipher, decrypts } = observedCipher();
    const stored = cipher.encryptRow('n'.repeat(20_000), ROW);
    cipher.decryptRow(stored, ROW);
    cipher.decryptRow(stored, ROW);
    expect(decrypts).toHaveLength(2);
  });
});
