import type { FieldCipher } from '../../../encryption/field-cipher.js';
import { DecryptionError } from '../../../encryption/field-cipher.js';
import type { CacheEntry, CachedView, RecordCache } from './record-cache.js';

/**
 * Cached notes get their own AAD, bound to the record: a cached ciphertext can neither be replayed
 * into the table nor moved to another record's cache entry.
 */
const cachedNotes = (id: string) => ({ table: 'record-cache', column: 'evidence_notes', id });

/**
 * Wraps the record cache so evidence notes are only ever stored encrypted (Redis or memory) and
 * decrypted when served. A cached value that no longer decrypts (its key was retired) is a miss.
 */
export class SealedRecordCache implements RecordCache {
  readonly kind: RecordCache['kind'];

  constructor(
    private readonly inner: RecordCache,
    private readonly cipher: FieldCipher,
  ) {
    this.kind = inner.kind;
  }

  async get(id: string): Promise<CacheEntry | undefined> {
    const entry = await this.inner.get(id);
    if (!entry?.view) return entry;
    const { evidenceNotes } = entry.view;
    if (evidenceNotes === null) return entry;
    try {
      return {
        ...entry,
        view: { ...entry.view, evidenceNotes: this.cipher.decryptRow(evidenceNotes, cachedNotes(id)) },
      };
    } catch (error) {
      if (error instanceof DecryptionError) return undefined;
      throw error;
    }
  }

  put(view: CachedView): Promise<void> {
    const { evidenceNotes } = view;
    const sealed = evidenceNotes === null ? null : this.cipher.encryptRow(evidenceNotes, cachedNotes(view.id));
    return this.inner.put({ ...view, evidenceNotes: sealed });
  }

  invalidate(id: string, version: number): Promise<void> {
    return this.inner.invalidate(id, version);
  }
}
