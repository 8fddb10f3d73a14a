import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { encryptionRegistry } from '../encryption/encryption-registry.js';
import { FieldCipher, type RowIdentity } from '../encryption/field-cipher.js';
import { KEY_BYTES, Keyring } from '../encryption/keyring.js';

export const AUDIT_DATA_KEYS_TABLE = 'audit_data_keys';

/** What the registry knows `audit_data_keys` by: rotation rewraps its keys like any sealed column. */
class AuditDataKeyRow {}
encryptionRegistry.columns.push({
  target: AuditDataKeyRow,
  property: 'wrapped',
  column: 'wrapped',
  table: () => AUDIT_DATA_KEYS_TABLE,
});

interface DataKeyRow {
  id: string;
  period: string;
  wrapped: string;
}

const wrappedIn = (id: string): RowIdentity => ({ table: AUDIT_DATA_KEYS_TABLE, column: 'wrapped', id });

/** `audit-2026-12`: the key id of a month's data key. */
export const periodOf = (at: Date): string =>
  `audit-${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;

const nextMonth = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));

/**
 * The data keys that seal personal data in audit events, one per month, each wrapped by the
 * keyring. The trail is append-only, so its ciphertexts can never be rewritten; wrapping them under
 * a key of their own lets key rotation rewrap a few rows here instead, and a retired keyring key
 * leaves the trail readable. Keys are made a month ahead and held unwrapped in memory.
 */
@Injectable()
export class AuditDataKeys implements OnModuleInit {
  private cipher?: FieldCipher;

  constructor(
    private readonly keyring: FieldCipher,
    private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ensure(new Date());
  }

  /** Makes this month's and next month's keys (replicas race harmlessly: one insert wins) and loads all. */
  async ensure(now: Date): Promise<void> {
    for (const period of [periodOf(now), periodOf(nextMonth(now))]) {
      const id = randomUUID();
      const wrapped = this.keyring.encryptRow(randomBytes(KEY_BYTES).toString('base64'), wrappedIn(id));
      await this.dataSource.query(
        `INSERT INTO ${AUDIT_DATA_KEYS_TABLE} (id, period, wrapped) VALUES ($1, $2, $3) ON CONFLICT (period) DO NOTHING`,
        [id, period, wrapped],
      );
    }
    await this.load(periodOf(now));
  }

  /** The cipher for a new event: the current month's key. */
  sealing(now = new Date()): FieldCipher {
    const cipher = this.loaded();
    const period = periodOf(now);
    // Another replica may have made a month's key this one has not loaded yet: the newest it has will do.
    if (cipher.keyring.has(period) && cipher.keyring.activeId !== period) cipher.keyring.activate(period);
    return cipher;
  }

  /** The cipher for reading: reloads once when a ciphertext names a key made since (by another replica). */
  async opening(keyId: string | undefined): Promise<FieldCipher> {
    const cipher = this.loaded();
    if (keyId && !cipher.keyring.has(keyId)) await this.load(cipher.keyring.activeId);
    return this.loaded();
  }

  private loaded(): FieldCipher {
    if (!this.cipher) throw new Error('audit data keys not loaded (AuditDataKeys.onModuleInit has not run)');
    return this.cipher;
  }

  private async load(preferred: string): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT id::text AS id, period, wrapped FROM ${AUDIT_DATA_KEYS_TABLE} ORDER BY period`,
    )) as DataKeyRow[];
    const keys = Object.fromEntries(
      rows.map((row) => [row.period, Buffer.from(this.keyring.decryptRow(row.wrapped, wrappedIn(row.id)), 'base64')]),
    );
    const active = preferred in keys ? preferred : rows[rows.length - 1].period;
    // Data keys have no blind indexes; the keyring's slot gets a throwaway key.
    this.cipher = new FieldCipher(new Keyring(keys, active, randomBytes(KEY_BYTES)));
  }
}
