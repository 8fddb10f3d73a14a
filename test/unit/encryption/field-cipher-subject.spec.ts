import { createSecretKey, randomBytes } from 'node:crypto';
import { FieldCipher } from '../../../src/modules/encryption/field-cipher';
import { aCipher } from '../../support/builders/keyring.builder';
import { failureOf } from '../../support/decryption-failure';

const SUBJECT = '3ba19932-225a-402f-8f4f-cd30a0d6fcb0';
const ROW = { table: 'users', column: 'email', id: SUBJECT };
const subjectKey = () => ({ subjectId: SUBJECT, key: createSecretKey(randomBytes(32)) });

describe('FieldCipher under a subject key (s1)', () => {
  const cipher = aCipher('k1');
  const subject = subjectKey();
  const stored = cipher.encryptForSubject('erin@example.com', ROW, subject);

  it('names the subject, not a keyring key, and opens with that subject key for that row only', () => {
    expect(stored.startsWith(`s1:${SUBJECT}:`)).toBe(true);
    expect(FieldCipher.subjectOf(stored)).toBe(SUBJECT);
    expect(FieldCipher.envelopeOf(stored)).toBe('s1');
    expect(cipher.decryptForSubject(stored, ROW, subject)).toBe('erin@example.com');
    expect(failureOf(() => cipher.decryptForSubject(stored, { ...ROW, column: 'phone' }, subject))).toBe('tampered');
  });

  it('does not open with another key, as another subject, or relabelled into a keyring envelope', () => {
    expect(failureOf(() => cipher.decryptForSubject(stored, ROW, { ...subjectKey() }))).toBe('tampered');
    const other = { subjectId: '00000000-0000-4000-8000-000000000000', key: subject.key };
    expect(failureOf(() => cipher.decryptForSubject(stored, ROW, other))).toBe('tampered');
    expect(failureOf(() => cipher.decryptRow(stored, ROW))).toBe('malformed');
    const relabelled = stored.replace(`s1:${SUBJECT}:`, 'v2:k1:');
    expect(failureOf(() => cipher.decryptRow(relabelled, ROW))).toBe('tampered');
  });
});
