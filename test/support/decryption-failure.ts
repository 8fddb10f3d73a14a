import type { DecryptionError } from '../../src/modules/encryption/field-cipher';

/** Why `open` refused its value (a DecryptionError's reason), or `opened` when it did not. */
export function failureOf(open: () => unknown): string {
  try {
    open();
  } catch (error) {
    return (error as DecryptionError).reason;
  }
  return 'opened';
}
