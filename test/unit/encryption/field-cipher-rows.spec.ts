import { FieldCipher, rowAad, type RowIdentity } from '../../../src/modules/encryption/field-cipher';
import { aCipher, aKeyring } from '../../support/builders/keyring.builder';

const ROW: RowIdentity = { table: 'users', column: 'email', id: '0193a0c4-5f7e-7b1a-9c3d-2e4f6a8b0c1d' };
const OTHER_ROW: RowIdentity = { ...ROW, id: '0193a0c4-5f7e-7b1a-9c3d-2e4f6a8b0c1e' };

describe('FieldCipher, row-bound (v2) values', () => {
  it('writes v2:<keyId>:… that decrypts in its own row only', () => {
    const cipher = aCipher('k1');
    const stored = cipher.encryptRow('jane@example.com', ROW);
    expect(stored).toMatch(/^v2:k1:[A-Za-z0-9_-]+$/);
    expect(FieldCipher.envelopeOf(stored)).toBe('v2');
    expect(cipher.decryptRow(stored, ROW)).toBe('jane@example.com');
  });

  it.each([
    ['another row of the same column', OTHER_ROW],
    ['another column of the same row', { ...ROW, column: 'phone' }],
    ['the same id in another table', { ...ROW, table: 'compliance_records' }],
  ])('refuses a value copied into %s as tampered', (_, elsewhere) => {
    const cipher = aCipher('k1');
    expect(() => cipher.decryptRow(cipher.encryptRow('123-45-6789', ROW), elsewhere)).toThrow(
      expect.objectContaining({ reason: 'tampered', keyId: 'k1' }),
    );
  });

  it('refuses a v2 value relabelled as v1, and a v1 value relabelled as v2', () => {
    const cipher = aCipher('k1');
    const v2 = cipher.encryptRow('secret', ROW);
    expect(() => cipher.decryptRow(v2.replace(/^v2:/, 'v1:'), ROW)).toThrow(
      expect.objectContaining({ reason: 'tampered' }),
    );
    const v1 = cipher.encrypt('secret', 'users.email');
    expect(() => cipher.decryptRow(v1.replace(/^v1:/, 'v2:'), ROW)).toThrow(
      expect.objectContaining({ reason: 'tampered' }),
    );
  });

  it('reads a v1 value (column AAD) in any row of its column while legacy values are accepted, and refuses it after', () => {
    const cipher = aCipher('k1');
    const legacy = cipher.encrypt('jane@example.com', 'users.email');
    expect(cipher.decryptRow(legacy, ROW)).toBe('jane@example.com');
    expect(() => cipher.decryptRow(legacy, { ...ROW, column: 'phone' })).toThrow(
      expect.objectContaining({ reason: 'tampered' }),
    );
    cipher.acceptLegacy = false;
    expect(() => cipher.decryptRow(legacy, ROW)).toThrow(expect.objectContaining({ reason: 'legacy-refused' }));
    expect(cipher.decryptRow(cipher.encryptRow('x', ROW), ROW)).toBe('x');
  });

  it('keeps v1 reads (decrypt) apart from row reads: decrypt refuses v2', () => {
    const cipher = aCipher('k1');
    expect(() => cipher.decrypt(cipher.encryptRow('x', ROW), 'users.email')).toThrow(
      expect.objectContaining({ reason: 'malformed' }),
    );
  });

  it('encodes the row identity unambiguously and never as a v1 AAD', () => {
    expect(rowAad(ROW)).toBe(`v2\0users\0email\0${ROW.id}`);
    expect(rowAad({ table: 'a.b', column: 'c', id: 'x' })).not.toBe(rowAad({ table: 'a', column: 'b.c', id: 'x' }));
    expect(rowAad(ROW)).not.toBe('users.email');
  });

  it.each([
    ['v1:k1:abc', 'v1'],
    ['v2:k1:abc', 'v2'],
    ['v3:k1:abc', undefined],
    ['plaintext', undefined],
  ])('reads the envelope version of %p without decrypting', (stored, version) => {
    expect(FieldCipher.envelopeOf(stored)).toBe(version);
  });
});

describe('FieldCipher.encryptRows (bulk writes)', () => {
  it('seals each value for its own row, leaves null as null, and is observed once for the batch', () => {
    const observations: [string, string, number, number | undefined][] = [];
    const cipher = new FieldCipher(aKeyring('k1'), {
      observe: (operation, keyId, seconds, count) => observations.push([operation, keyId, seconds, count]),
    });
    const column = { table: ROW.table, column: ROW.column };
    const stored = cipher.encryptRows(
      ['a@example.com', null, 'b@example.com'],
      [ROW.id, 'unused', OTHER_ROW.id],
      column,
    );
    expect(observations).toEqual([['encrypt', 'k1', expect.any(Number), 2]]);
    expect(stored[1]).toBeNull();
    expect(stored[0]).toMatch(/^v2:k1:/);
    expect(cipher.decryptRow(stored[0] as string, ROW)).toBe('a@example.com');
    expect(cipher.decryptRow(stored[2] as string, OTHER_ROW)).toBe('b@example.com');
    expect(() => cipher.decryptRow(stored[0] as string, OTHER_ROW)).toThrow(
      expect.objectContaining({ reason: 'tampered' }),
    );
  });

  it('refuses an unknown key before sealing anything', () => {
    expect(() => aCipher('k1').encryptRows(['x'], [ROW.id], ROW, 'k9')).toThrow(
      expect.objectContaining({ reason: 'unknown-key', keyId: 'k9' }),
    );
  });
});
