export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

/** Data keys by id, the id new ciphertexts use, and the separate blind-index key. */
export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  private active: string;
  /** Asked for a key id the keyring lacks, before it answers that it has none. */
  private refill?: () => void;

  constructor(
    keys: Record<string, Buffer>,
    activeId: string,
    readonly blindIndexKey: Buffer,
  ) {
    for (const [id, key] of Object.entries(keys)) this.add(id, key);
    if (!this.keys.has(activeId)) throw new KeyringError(`active key "${activeId}" is not in the keyring`);
    this.active = activeId;
  }

  get activeId(): string {
    return this.active;
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  has(id: string): boolean {
    return this.keys.has(id);
  }

  key(id: string): Buffer | undefined {
    const key = this.keys.get(id);
    if (key || !this.refill) return key;
    this.refill();
    return this.keys.get(id);
  }

  /** A file-backed keyring rereads its file on a miss: a replica sharing the file may have added the key. */
  refillWith(refill: () => void): void {
    this.refill = refill;
  }

  add(id: string, key: Buffer): void {
    if (!KEY_ID.test(id)) throw new KeyringError(`key id "${id}" must match ${KEY_ID}`);
    if (key.length !== KEY_BYTES) throw new KeyringError(`key "${id}" must be ${KEY_BYTES} bytes`);
    this.keys.set(id, key);
  }

  activate(id: string): void {
    if (!this.keys.has(id)) throw new KeyringError(`key "${id}" is not in the keyring`);
    this.active = id;
  }

  remove(id: string): void {
    if (id === this.active) throw new KeyringError('the active key cannot be removed');
    this.keys.delete(id);
  }
}
