import { randomBytes } from 'node:crypto';
import { FieldCipher } from '../../../src/modules/encryption/field-cipher';
import { Keyring } from '../../../src/modules/encryption/keyring';

/** A keyring with fresh random keys `ids[0..]`, the last one active. */
export function aKeyring(...ids: string[]): Keyring {
  const names = ids.length ? ids : ['k1'];
  return new Keyring(
    Object.fromEntries(names.map((id) => [id, randomBytes(32)])),
    names[names.length - 1],
    randomBytes(32),
  );
}

export const aCipher = (...ids: string[]) => new FieldCipher(aKeyring(...ids));

/** ENCRYPTION_KEYS JSON for an app under test. */
export function encryptionKeysJson(ids: string[], active = ids[ids.length - 1]): string {
  return JSON.stringify({
    active,
    keys: Object.fromEntries(ids.map((id) => [id, randomBytes(32).toString('base64')])),
  });
}
