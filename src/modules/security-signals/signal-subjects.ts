import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { memoized } from '../../common/memoized.js';
import type { FieldCipher } from '../encryption/field-cipher.js';

/** Hex characters kept of a subject's HMAC: 64 bits, plenty to tell subjects apart in a trail. */
const SUBJECT_CHARS = 16;
/** Distinct subjects remembered with their HMAC. */
const SUBJECTS_KEPT = 4_096;
/** HKDF info: the blind-index key is reused for nothing else under this label. */
const KEY_INFO = 'compliance-kit security signal subjects v1';

/**
 * Names for what detectors count by, never the plaintext: an IP or a network becomes a truncated
 * HMAC under a key derived from the blind-index key (so it cannot be tested against guessed
 * addresses without it), and window keys live under this deployment's Redis namespace.
 */
export class SignalSubjects {
  // A KeyObject, not the raw bytes: HMAC with a raw key costs ~4x as much per call (measured ~54 vs ~13 µs).
  private readonly hmacKey: KeyObject;

  constructor(
    cipher: FieldCipher,
    private readonly namespace: string,
  ) {
    this.hmacKey = createSecretKey(
      Buffer.from(hkdfSync('sha256', cipher.keyring.blindIndexKey, Buffer.alloc(0), KEY_INFO, 32)),
    );
  }

  /** By input: a session's network is hashed again on each of its requests. */
  private readonly hashOf = memoized(SUBJECTS_KEPT, (input) =>
    createHmac('sha256', this.hmacKey).update(input).digest('hex').slice(0, SUBJECT_CHARS),
  );

  /** `kind` separates the inputs: an IP and a network prefix never share an HMAC. */
  hash(kind: 'ip' | 'network', value: string): string {
    return this.hashOf(`${kind}\0${value.toLowerCase()}`);
  }

  /** A window key: `<namespace>:signals:<detector>:<parts…>`. */
  key(detector: string, ...parts: string[]): string {
    return [this.namespace, 'signals', detector, ...parts].join(':');
  }
}
