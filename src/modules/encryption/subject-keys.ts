import { createSecretKey, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { encryptionRegistry } from './encryption-registry.js';
import { DecryptionError, FieldCipher, type RowIdentity, type SubjectKey } from './field-cipher.js';
import { KEY_BYTES } from './keyring.js';
import { type CachedSubjectKey, SubjectKeyCache } from './subject-key-cache.js';

export const SUBJECT_KEYS_TABLE = 'subject_keys';
/** The channel the erasing statement notifies, with the erased subject's id. */
export const SUBJECT_ERASED_CHANNEL = 'ck_subject_erased';

/** What the registry knows `subject_keys` by: key rotation rewraps these keys, never the data they seal. */
class SubjectKeyRow {}
encryptionRegistry.columns.push({
  target: SubjectKeyRow,
  property: 'wrapped',
  column: 'wrapped',
  table: () => SUBJECT_KEYS_TABLE,
});

/** Anything that runs SQL: the request's transaction manager, or a subscriber's. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export class SubjectErasedError extends DecryptionError {
  constructor() {
    super('erased', undefined);
  }
}

export interface SubjectKeyCounts {
  active: number;
  erased: number;
}

const wrappedIn = (id: string): RowIdentity => ({ table: SUBJECT_KEYS_TABLE, column: 'wrapped', id });

/**
 * One data key per data subject, wrapped by the keyring's active key in `subject_keys`. Erasing
 * the subject drops the wrapped key (crypto-shredding): every value sealed under it, in any table
 * or backup taken afterwards, is noise. Unwrapped keys are cached (SUBJECT_KEY_CACHE_*).
 */
@Injectable()
export class SubjectKeys {
  private readonly cache: SubjectKeyCache;

  constructor(
    private readonly cipher: FieldCipher,
    private readonly transactions: TransactionContext,
    config: AppConfig,
  ) {
    this.cache = new SubjectKeyCache(
      config.privacy.subjectKeyCacheSize,
      config.privacy.subjectKeyCacheTtlMs,
      Date.now,
      (key) => cipher.forgetOpened(key),
    );
  }

  /** The subject's key, made on first use; throws SubjectErasedError for an erased subject. */
  async forWriting(subjectId: string, db: Queryable = this.transactions.manager): Promise<SubjectKey> {
    const key = (await this.forWritingMany([subjectId], db)).get(subjectId);
    if (!key) throw new SubjectErasedError();
    return key;
  }

  /**
   * Keys for many subjects at once (the re-encryption job's batch): one read, one insert of the
   * missing keys, one read back. An erased subject maps to `null`.
   */
  async forWritingMany(
    subjectIds: string[],
    db: Queryable = this.transactions.manager,
  ): Promise<Map<string, SubjectKey | null>> {
    const found = new Map<string, SubjectKey | null>();
    const load = async (ids: string[]) => {
      const generation = this.cache.generation;
      const rows = (await db.query(
        `SELECT id::text AS id, wrapped FROM ${SUBJECT_KEYS_TABLE} WHERE id = ANY($1::uuid[])`,
        [ids],
      )) as { id: string; wrapped: string | null }[];
      for (const row of rows) {
        const key = this.unwrap(row.id, row.wrapped);
        this.cache.set(row.id, key, generation);
        found.set(row.id, key && { subjectId: row.id, key });
      }
    };
    const uncached: string[] = [];
    for (const id of new Set(subjectIds)) {
      const cached = this.cache.get(id);
      if (cached === undefined) uncached.push(id);
      else found.set(id, cached && { subjectId: id, key: cached });
    }
    if (uncached.length) await load(uncached);
    const missing = uncached.filter((id) => !found.has(id));
    if (missing.length) {
      const wrapped = missing.map((id) =>
        this.cipher.encryptRow(randomBytes(KEY_BYTES).toString('base64'), wrappedIn(id)),
      );
      await db.query(
        `INSERT INTO ${SUBJECT_KEYS_TABLE} (id, wrapped) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT (id) DO NOTHING`,
        [missing, wrapped],
      );
      await load(missing);
    }
    return found;
  }

  /** The subject's key for reading: SubjectErasedError when erased, `unknown-key` when it never had one. */
  async forReading(subjectId: string, db: Queryable = this.transactions.manager): Promise<SubjectKey> {
    const found = await this.lookup(subjectId, db);
    if (found === null) throw new SubjectErasedError();
    if (!found) throw new DecryptionError('unknown-key', undefined);
    return { subjectId, key: found };
  }

  async isErased(subjectId: string, db: Queryable = this.transactions.manager): Promise<boolean> {
    const rows = (await db.query(`SELECT erased_at IS NOT NULL AS erased FROM ${SUBJECT_KEYS_TABLE} WHERE id = $1`, [
      subjectId,
    ])) as { erased: boolean }[];
    return rows[0]?.erased ?? false;
  }

  /**
   * Destroys the subject's key (a tombstone row stays, so no new key is ever made for it). Returns
   * whether this call erased it. The cache entry goes now and again after commit, so a read racing
   * the transaction cannot keep the old key cached; other replicas drop theirs on the notification
   * Postgres delivers at commit (SubjectKeyEvictions).
   */
  async erase(subjectId: string, db: Queryable = this.transactions.manager): Promise<boolean> {
    const rows = (await db.query(
      `WITH erased AS (
         INSERT INTO ${SUBJECT_KEYS_TABLE} (id, wrapped, erased_at) VALUES ($1, NULL, now())
         ON CONFLICT (id) DO UPDATE SET wrapped = NULL, erased_at = now() WHERE ${SUBJECT_KEYS_TABLE}.erased_at IS NULL
         RETURNING id)
       SELECT id, pg_notify($2, id::text) FROM erased`,
      [subjectId, SUBJECT_ERASED_CHANNEL],
    )) as unknown[];
    this.cache.delete(subjectId);
    await this.transactions.afterCommit(() => this.cache.delete(subjectId));
    return rows.length > 0;
  }

  /** Another replica erased these subjects, or (no subject) erasures may have gone unheard. */
  evict(subjectId?: string): void {
    if (subjectId) this.cache.delete(subjectId);
    else this.cache.clear();
  }

  /** Subjects whose key is erased, among `ids`. */
  async erasedAmong(ids: string[], db: Queryable = this.transactions.manager): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = (await db.query(
      `SELECT id::text AS id FROM ${SUBJECT_KEYS_TABLE} WHERE id = ANY($1::uuid[]) AND erased_at IS NOT NULL`,
      [ids],
    )) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  }

  async counts(db: Queryable = this.transactions.manager): Promise<SubjectKeyCounts> {
    const [row] = (await db.query(
      `SELECT count(*) FILTER (WHERE erased_at IS NULL)::int AS active, count(*) FILTER (WHERE erased_at IS NOT NULL)::int AS erased
         FROM ${SUBJECT_KEYS_TABLE}`,
    )) as SubjectKeyCounts[];
    return row;
  }

  /** Cached key, `null` when erased, `undefined` when the subject has none yet. */
  private async lookup(subjectId: string, db: Queryable) {
    const cached = this.cache.get(subjectId);
    if (cached !== undefined) return cached;
    const generation = this.cache.generation;
    const rows = (await db.query(`SELECT wrapped FROM ${SUBJECT_KEYS_TABLE} WHERE id = $1`, [subjectId])) as {
      wrapped: string | null;
    }[];
    if (!rows.length) return undefined;
    const key = this.unwrap(subjectId, rows[0].wrapped);
    this.cache.set(subjectId, key, generation);
    return key;
  }

  private unwrap(subjectId: string, wrapped: string | null): CachedSubjectKey {
    if (wrapped === null) return null;
    return createSecretKey(Buffer.from(this.cipher.decryptRow(wrapped, wrappedIn(subjectId)), 'base64'));
  }
}
