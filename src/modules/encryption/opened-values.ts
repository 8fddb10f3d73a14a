import type { KeyObject } from 'node:crypto';

interface Opened {
  stored: string;
  plaintext: string;
}

/** Longer plaintexts are opened every time: the memo is for the small values read on every request. */
const MAX_PLAINTEXT_CHARS = 16_384;

/**
 * The last value opened under each key for each AAD (one column of one row). Opening is a pure
 * function of key, AAD and ciphertext, and a GCM ciphertext cannot be altered without failing, so
 * the same stored string opens to the same plaintext: a cached session or record read on every
 * request is decrypted once, not each time. Entries hang off the KeyObject (a WeakMap): a key the
 * keyring no longer returns takes its plaintexts with it once collected; an erased subject's key
 * forgets them at once (`forget`). Each key keeps its `perKey` most recently used AADs.
 */
export class OpenedValues {
  private readonly byKey = new WeakMap<KeyObject, Map<string, Opened>>();

  get(key: KeyObject, aad: string, stored: string): string | undefined {
    const values = this.byKey.get(key);
    const opened = values?.get(aad);
    if (!values || opened?.stored !== stored) return undefined;
    values.delete(aad);
    values.set(aad, opened);
    return opened.plaintext;
  }

  set(key: KeyObject, aad: string, stored: string, plaintext: string, perKey: number): void {
    if (plaintext.length > MAX_PLAINTEXT_CHARS) return;
    let values = this.byKey.get(key);
    if (!values) this.byKey.set(key, (values = new Map()));
    values.delete(aad);
    values.set(aad, { stored, plaintext });
    if (values.size > perKey) values.delete(values.keys().next().value as string);
  }

  forget(key: KeyObject): void {
    this.byKey.delete(key);
  }
}
