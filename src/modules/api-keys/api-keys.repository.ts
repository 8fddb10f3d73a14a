import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import type { Role } from '../../common/auth/roles.js';
import type { ApiKey, ApiKeySecretRow, ApiKeyWithSecrets, StoredSecret } from './api-key.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  allowed_cidrs: string[];
  revoked_at: Date | null;
}

const KEY_COLUMNS = `k.id, k.name, k.role, k.created_by, k.created_at, k.last_used_at, k.expires_at,
  k.allowed_cidrs::text[] AS allowed_cidrs, k.revoked_at`;

/** Every secret of the key, newest first; rotation deletes those whose overlap has ended. */
const SECRETS = `coalesce((SELECT json_agg(json_build_object(
    'lookupId', s.lookup_id, 'createdAt', s.created_at, 'expiresAt', s.expires_at) ORDER BY s.created_at DESC)
  FROM api_key_secrets s WHERE s.key_id = k.id), '[]') AS secrets`;

/**
 * `api_keys` and `api_key_secrets`. Management writes go through the request's transaction (with
 * its audit row); the per-request lookup runs outside one, before any transaction is open.
 */
@QueryOwner()
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly transactions: TransactionContext) {}

  private query<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    return this.transactions.manager.query(sql, parameters) as Promise<T[]>;
  }

  async insert(key: ApiKey, secret: { lookupId: string; hash: Buffer }): Promise<void> {
    await this.query(
      `INSERT INTO api_keys (id, name, role, created_by, created_at, expires_at, allowed_cidrs)
       VALUES ($1, $2, $3, $4, $5, $6, $7::cidr[])`,
      [key.id, key.name, key.role, key.createdBy, key.createdAt, key.expiresAt, key.allowedCidrs],
    );
    await this.insertSecret(key.id, secret, key.createdAt);
  }

  async insertSecret(keyId: string, secret: { lookupId: string; hash: Buffer }, at: Date): Promise<void> {
    await this.query(
      `INSERT INTO api_key_secrets (lookup_id, key_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)`,
      [secret.lookupId, keyId, secret.hash, at],
    );
  }

  /** The one indexed lookup per request made with a key (primary key of api_key_secrets, then of api_keys). */
  async findSecret(lookupId: string): Promise<StoredSecret | undefined> {
    const [row] = await this.query<KeyRow & { secret_hash: Buffer; secret_expires_at: Date | null }>(
      `SELECT ${KEY_COLUMNS}, s.secret_hash, s.expires_at AS secret_expires_at
         FROM api_key_secrets s JOIN api_keys k ON k.id = s.key_id WHERE s.lookup_id = $1`,
      [lookupId],
    );
    return row ? { key: toKey(row), hash: row.secret_hash, expiresAt: row.secret_expires_at } : undefined;
  }

  async findById(id: string, { lock = false } = {}): Promise<ApiKeyWithSecrets | undefined> {
    const [row] = await this.query<KeyRow & { secrets: unknown[] }>(
      `SELECT ${KEY_COLUMNS}, ${SECRETS} FROM api_keys k WHERE k.id = $1 ${lock ? 'FOR UPDATE OF k' : ''}`,
      [id],
    );
    return row ? withSecrets(row) : undefined;
  }

  /** Every key, revoked ones included, newest first. */
  async list(): Promise<ApiKeyWithSecrets[]> {
    const rows = await this.query<KeyRow & { secrets: unknown[] }>(
      `SELECT ${KEY_COLUMNS}, ${SECRETS} FROM api_keys k ORDER BY k.created_at DESC, k.id`,
      [],
    );
    return rows.map(withSecrets);
  }

  /** Ends the key's unexpired secrets at `until` at the latest, and forgets those already over. */
  async supersedeSecrets(keyId: string, now: Date, until: Date): Promise<void> {
    await this.query(`DELETE FROM api_key_secrets WHERE key_id = $1 AND expires_at <= $2`, [keyId, now]);
    await this.query(
      `UPDATE api_key_secrets SET expires_at = least(coalesce(expires_at, 'infinity'), $2) WHERE key_id = $1`,
      [keyId, until],
    );
  }

  async revoke(id: string, at: Date): Promise<void> {
    await this.query(`UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [id, at]);
  }

  /** Records use at most once per `granularityMs` per key, whichever replica serves it. */
  async touch(id: string, at: Date, granularityMs: number): Promise<void> {
    await this.query(
      `UPDATE api_keys SET last_used_at = $2
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - make_interval(secs => $3))`,
      [id, at, granularityMs / 1000],
    );
  }
}

function toKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    allowedCidrs: row.allowed_cidrs,
    revokedAt: row.revoked_at,
  };
}

function withSecrets(row: KeyRow & { secrets: unknown[] }): ApiKeyWithSecrets {
  const secrets = (row.secrets as { lookupId: string; createdAt: string; expiresAt: string | null }[]).map(
    (s): ApiKeySecretRow => ({
      lookupId: s.lookupId,
      createdAt: new Date(s.createdAt),
      expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt),
    }),
  );
  return { ...toKey(row), secrets };
}
