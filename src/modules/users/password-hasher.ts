import { randomBytes, scrypt, ScryptOptions, timingSafeEqual } from 'node:crypto';

const derive = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

/** Current cost; stored in every hash so it can be raised without invalidating old hashes. */
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

/**
 * scrypt password hashes as `scrypt$N$r$p$<salt>$<hash>` (base64url). Verification compares in
 * constant time; `verifyNothing` spends the same work for unknown users so login timing does not
 * reveal which accounts exist.
 */
export class PasswordHasher {
  private readonly decoy: Promise<string>;

  constructor(private readonly cost = COST) {
    this.decoy = this.hash(randomBytes(16).toString('base64url'));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const { N, r, p } = this.cost;
    const key = await derive(password, salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r });
    return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * Number(n) * Number(r) };
    const actual = await derive(password, Buffer.from(salt, 'base64url'), expected.length, options);
    return timingSafeEqual(actual, expected);
  }

  /** Runs a full verification against a decoy hash and always fails. */
  async verifyNothing(password: string): Promise<false> {
    await this.verify(password, await this.decoy);
    return false;
  }
}
