import { createCipheriv, createDecipheriv, createHmac, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import { Keyring } from './keyring.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Random IVs are drawn this many bytes at a time (341 IVs), not with one randomBytes call each. */
const IV_POOL_BYTES = 4_092;

export type DecryptionFailure = 'malformed' | 'unknown-key' | 'tampered';

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

/** Counts and times operations by key id; never sees values. */
export interface CipherObserver {
  observe(operation: 'encrypt' | 'decrypt', keyId: string, seconds: number): void;
}

/**
 * AES-256-GCM field encryption. Output: `v1:<keyId>:<base64url(iv12 ‖ tag16 ‖ ciphertext)>`.
 * `aad` is the column identity (`table.column`), so a ciphertext moved to another column fails.
 */
export class FieldCipher {
  /** Per key buffer: a raw Buffer key makes every createCipheriv build a KeyObject, 4× the cost. */
  private readonly secretKeys = new WeakMap<Buffer, KeyObject>();
  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;

  constructor(
    readonly keyring: Keyring,
    private readonly observer?: CipherObserver,
  ) {}

  encrypt(plaintext: string, aad: string, keyId = this.keyring.activeId): string {
    const started = performance.now();
    const key = this.secretKey(keyId);
    if (!key) throw new DecryptionError('unknown-key', keyId);
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = cipher.update(plaintext, 'utf8');
    const rest = cipher.final();
    const payload = Buffer.concat([iv, cipher.getAuthTag(), body, rest]).toString('base64url');
    this.observer?.observe('encrypt', keyId, (performance.now() - started) / 1000);
    return `${VERSION}:${keyId}:${payload}`;
  }

  decrypt(ciphertext: string, aad: string): string {
    const started = performance.now();
    const [version, keyId, payload, extra] = ciphertext.split(':');
    if (version !== VERSION || !keyId || !payload || extra !== undefined) {
      throw new DecryptionError('malformed', undefined);
    }
    const key = this.secretKey(keyId);
    if (!key) throw new DecryptionError('unknown-key', keyId);
    const raw = Buffer.from(payload, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('malformed', keyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      this.observer?.observe('decrypt', keyId, (performance.now() - started) / 1000);
      return plaintext.toString('utf8');
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

  /** Lowercased, trimmed HMAC-SHA256 (hex) for equality lookups on an encrypted value. */
  blindIndex(value: string): string {
    return createHmac('sha256', this.keyring.blindIndexKey).update(value.trim().toLowerCase()).digest('hex');
  }
}
