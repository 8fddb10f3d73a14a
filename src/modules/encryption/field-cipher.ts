import { createCipheriv, createDecipheriv, createHmac, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { Keyring } from './keyring.js';
import { OpenedValues } from './opened-values.js';

/** `table.column` AAD: any row of the column. Read while values are upgraded, never written by columns. */
const COLUMN_BOUND = 'v1';
/** AAD names the row too (table, column, primary key): a value copied to another row fails. */
const ROW_BOUND = 'v2';
/** Row-bound like v2, sealed under a data subject's own key; the key id slot holds the subject id. */
export const SUBJECT_BOUND = 's1';
/** The envelope every column value is written in. */
export const CURRENT_ENVELOPE = ROW_BOUND;
export const ENVELOPE_VERSIONS = [COLUMN_BOUND, ROW_BOUND, SUBJECT_BOUND] as const;
export type EnvelopeVersion = (typeof ENVELOPE_VERSIONS)[number];
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Random IVs are drawn this many bytes at a time (341 IVs), not with one randomBytes call each. */
const IV_POOL_BYTES = 4_092;
/** Opened values remembered per keyring key (rows of every table) and per subject key (one person's). */
const OPENED_PER_KEYRING_KEY = 4_096;
const OPENED_PER_SUBJECT_KEY = 16;

export type DecryptionFailure = 'malformed' | 'unknown-key' | 'tampered' | 'legacy-refused' | 'erased';

/** Where a value lives: its table, its column and its row's primary key. */
export interface RowIdentity {
  table: string;
  column: string;
  id: string;
}

/**
 * The v2 AAD. NUL cannot occur in a Postgres identifier or a uuid, so the encoding is unambiguous,
 * and it never equals a v1 AAD (`table.column`), so relabelling a v2 value as v1 fails too.
 */
export const rowAad = (row: RowIdentity): string => `${ROW_BOUND}\0${row.table}\0${row.column}\0${row.id}`;

/** The s1 AAD: the row identity under its own version tag, so an s1 value relabelled v2 fails too. */
const subjectAad = (row: RowIdentity): string => `${SUBJECT_BOUND}\0${row.table}\0${row.column}\0${row.id}`;

/** A data subject's unwrapped key (SubjectKeys), named by the subject's id. */
export interface SubjectKey {
  subjectId: string;
  key: KeyObject;
}

/** A ciphertext that cannot be turned back into plaintext; the message never contains data. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  constructor(
    readonly reason: DecryptionFailure,
    readonly keyId: string | undefined,
  ) {
    super(`cannot decrypt: ${reason}${keyId ? ` (key ${keyId})` : ''}`);
  }
}

/**
 * Counts and times operations by key id; never sees values. A batch of `count` operations is one
 * call with their mean duration.
 */
export interface CipherObserver {
  observe(operation: 'encrypt' | 'decrypt', keyId: string, seconds: number, count?: number): void;
}

/**
 * AES-256-GCM field encryption. Output: `<version>:<keyId>:<base64url(iv12 ‖ tag16 ‖ ciphertext)>`.
 * Column values are `v2`, whose AAD is the row identity (`rowAad`), so a ciphertext moved to
 * another column or another row fails; `v1` (AAD `table.column`) is the envelope before that.
 */
export class FieldCipher {
  /** Per key buffer: a raw Buffer key makes every createCipheriv build a KeyObject, 4× the cost. */
  private readonly secretKeys = new WeakMap<Buffer, KeyObject>();
  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;
  private readonly opened = new OpenedValues();
  /**
   * Whether `decryptRow` still reads `v1:` values. True until an upgrade run has rewritten every
   * stored value (KeyRotationService turns it off at boot and when such a run completes).
   */
  acceptLegacy = true;

  constructor(
    readonly keyring: Keyring,
    private readonly observer?: CipherObserver,
  ) {}

  /** `v1:` value bound to `aad` only. For values that belong to no row (cache seals, legacy migrations). */
  encrypt(plaintext: string, aad: string, keyId = this.keyring.activeId): string {
    return this.seal(COLUMN_BOUND, plaintext, aad, keyId);
  }

  /** Reads a `v1:` value written by `encrypt` with the same `aad`. */
  decrypt(ciphertext: string, aad: string): string {
    return this.open(ciphertext, COLUMN_BOUND, aad);
  }

  /** `v2:` value of one column of one row: it decrypts only where it was written. */
  encryptRow(plaintext: string, row: RowIdentity, keyId = this.keyring.activeId): string {
    return this.seal(ROW_BOUND, plaintext, rowAad(row), keyId);
  }

  /**
   * `encryptRow` of many values of one column, one per row id (null stays null), observed once for
   * the batch: a 10,000-record bulk ingest would otherwise pay a metric observation per value.
   */
  encryptRows(
    values: readonly (string | null)[],
    ids: readonly string[],
    column: Omit<RowIdentity, 'id'>,
    keyId = this.keyring.activeId,
  ): (string | null)[] {
    const started = performance.now();
    const key = this.requireKey(keyId);
    let sealed = 0;
    const out = values.map((value, i) => {
      if (value === null) return null;
      sealed++;
      return this.sealWith(key, ROW_BOUND, value, rowAad({ ...column, id: ids[i] }), keyId);
    });
    if (sealed) this.observer?.observe('encrypt', keyId, (performance.now() - started) / 1000 / sealed, sealed);
    return out;
  }

  /**
   * Reads the stored value of `row`'s column: `v2:` bound to this row, or (while `acceptLegacy`)
   * a `v1:` value bound to the column only, as written before row binding.
   */
  decryptRow(stored: string, row: RowIdentity): string {
    const version = FieldCipher.envelopeOf(stored);
    if (version === COLUMN_BOUND) {
      if (!this.acceptLegacy) throw new DecryptionError('legacy-refused', FieldCipher.keyIdOf(stored));
      return this.open(stored, COLUMN_BOUND, `${row.table}.${row.column}`);
    }
    return this.open(stored, ROW_BOUND, rowAad(row));
  }

  /** `s1:<subjectId>:` value of one column of one row, under the subject's own key. */
  encryptForSubject(plaintext: string, row: RowIdentity, subject: SubjectKey): string {
    const started = performance.now();
    const stored = this.sealWith(subject.key, SUBJECT_BOUND, plaintext, subjectAad(row), subject.subjectId);
    // One label for every subject: a subject id in a metric label would be a per-person series.
    this.observer?.observe('encrypt', 'subject', (performance.now() - started) / 1000);
    return stored;
  }

  /** Reads an `s1:` value of `row` with its subject's key. */
  decryptForSubject(stored: string, row: RowIdentity, subject: SubjectKey): string {
    // Under another subject's id: a value moved from that subject's row.
    if (FieldCipher.keyIdOf(stored) !== subject.subjectId) throw new DecryptionError('tampered', undefined);
    return this.openWith(stored, SUBJECT_BOUND, subjectAad(row), () => subject.key, OPENED_PER_SUBJECT_KEY);
  }

  /** Drops the plaintexts remembered under `key` (a subject key dropped at erasure). */
  forgetOpened(key: KeyObject): void {
    this.opened.forget(key);
  }

  private seal(version: EnvelopeVersion, plaintext: string, aad: string, keyId: string): string {
    const started = performance.now();
    const stored = this.sealWith(this.requireKey(keyId), version, plaintext, aad, keyId);
    this.observer?.observe('encrypt', keyId, (performance.now() - started) / 1000);
    return stored;
  }

  private requireKey(keyId: string): KeyObject {
    const key = this.secretKey(keyId);
    if (!key) throw new DecryptionError('unknown-key', keyId);
    return key;
  }

  private sealWith(key: KeyObject, version: EnvelopeVersion, plaintext: string, aad: string, keyId: string): string {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = cipher.update(plaintext, 'utf8');
    const rest = cipher.final();
    const payload = Buffer.concat([iv, cipher.getAuthTag(), body, rest]).toString('base64url');
    return `${version}:${keyId}:${payload}`;
  }

  private open(ciphertext: string, expected: EnvelopeVersion, aad: string): string {
    return this.openWith(ciphertext, expected, aad, (keyId) => this.secretKey(keyId), OPENED_PER_KEYRING_KEY);
  }

  /** A value opened before under the same key and AAD is not decrypted (nor observed) again. */
  private openWith(
    ciphertext: string,
    expected: EnvelopeVersion,
    aad: string,
    keyFor: (keyId: string) => KeyObject | undefined,
    openedPerKey: number,
  ): string {
    const started = performance.now();
    const [version, keyId, payload, extra] = ciphertext.split(':');
    if (version !== expected || !keyId || !payload || extra !== undefined) {
      throw new DecryptionError('malformed', undefined);
    }
    const key = keyFor(keyId);
    if (!key) throw new DecryptionError('unknown-key', keyId);
    const remembered = this.opened.get(key, aad, ciphertext);
    if (remembered !== undefined) return remembered;
    const raw = Buffer.from(payload, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('malformed', keyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      this.observer?.observe(
        'decrypt',
        version === SUBJECT_BOUND ? 'subject' : keyId,
        (performance.now() - started) / 1000,
      );
      const text = plaintext.toString('utf8');
      this.opened.set(key, aad, ciphertext, text, openedPerKey);
      return text;
    } catch {
      throw new DecryptionError('tampered', keyId);
    }
  }

  private secretKey(keyId: string): KeyObject | undefined {
    const raw = this.keyring.key(keyId);
    if (!raw) return undefined;
    let key = this.secretKeys.get(raw);
    if (!key) {
      key = createSecretKey(raw);
      this.secretKeys.set(raw, key);
    }
    return key;
  }

  /** A fresh random IV; every pooled byte is used once. */
  private nextIv(): Buffer {
    if (this.ivOffset + IV_BYTES > this.ivPool.length) {
      this.ivPool = randomBytes(IV_POOL_BYTES);
      this.ivOffset = 0;
    }
    return this.ivPool.subarray(this.ivOffset, (this.ivOffset += IV_BYTES));
  }

  /** Key id of a stored ciphertext, without decrypting it. */
  static keyIdOf(ciphertext: string): string | undefined {
    return ciphertext.split(':')[1];
  }

  /** The subject whose key seals an `s1:` value; undefined for any other envelope. */
  static subjectOf(ciphertext: string): string | undefined {
    return ciphertext.startsWith(`${SUBJECT_BOUND}:`) ? FieldCipher.keyIdOf(ciphertext) : undefined;
  }

  /** Envelope version of a stored ciphertext, without decrypting it. */
  static envelopeOf(ciphertext: string): EnvelopeVersion | undefined {
    const version = ciphertext.slice(0, ciphertext.indexOf(':'));
    return (ENVELOPE_VERSIONS as readonly string[]).includes(version) ? (version as EnvelopeVersion) : undefined;
  }

  /** Lowercased, trimmed HMAC-SHA256 (hex) for equality lookups on an encrypted value. */
  blindIndex(value: string): string {
    return createHmac('sha256', this.keyring.blindIndexKey).update(value.trim().toLowerCase()).digest('hex');
  }
}
