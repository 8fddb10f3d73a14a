import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Role } from '../../../src/common/auth/roles';

export interface ApiKeyInput {
  name: string;
  role: Role;
  expiresAt?: string;
  allowedCidrs?: string[];
}

/** A valid POST /api-keys body with a unique name; override any field. */
export function anApiKey(overrides: Partial<ApiKeyInput> = {}): ApiKeyInput {
  return { name: `scanner-${randomBytes(4).toString('hex')}`, role: 'analyst', ...overrides };
}

/** Loopback in every form a test client's address takes. */
export const LOOPBACK_CIDRS = ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'];

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `body` with the checksum docs/security.md describes (CRC-32 of the rest, 6 base62 digits, most
 * significant first): a well-formed key that need not exist.
 */
export function withChecksum(body: string): string {
  let value = crc32(body);
  let digits = '';
  for (let i = 0; i < 6; i++, value = Math.floor(value / 62)) digits = BASE62[value % 62] + digits;
  return body + digits;
}
