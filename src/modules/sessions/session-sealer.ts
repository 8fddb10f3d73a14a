import { Inject, Injectable } from '@nestjs/common';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { encryptionRegistry } from '../encryption/encryption-registry.js';
import { DecryptionError, FieldCipher, type RowIdentity } from '../encryption/field-cipher.js';
import type { Session, SessionMetadata } from './session.js';

export const SESSION_TABLE = 'session_store';
/** `session_store` columns held as `v2` envelopes bound to their row (table, column, session id). */
const SEALED_COLUMNS = ['ip', 'user_agent', 'metadata'] as const;
type SealedColumn = (typeof SEALED_COLUMNS)[number];

/** What the registry knows `session_store` by: it has no entity, its repository writes SQL. */
class SessionStoreRow {}
// Registered like an @EncryptedColumn: key rotation re-encrypts them, the status report counts them,
// and a key that still seals a session value cannot be retired.
for (const column of SEALED_COLUMNS) {
  encryptionRegistry.columns.push({ target: SessionStoreRow, property: column, column, table: () => SESSION_TABLE });
}

/** The sealed columns as stored. */
export interface SealedOrigin {
  ip: string | null;
  user_agent: string | null;
  metadata: string | null;
}

type Origin = Pick<Session, 'ip' | 'userAgent' | 'metadata'>;

const inRow = (id: string, column: SealedColumn): RowIdentity => ({ table: SESSION_TABLE, column, id });
/** A Redis entry is bound to its key's token hash: moved under another session's key, it fails. */
const inCache = (tokenHash: string): RowIdentity => ({ table: 'session-cache', column: 'session', id: tokenHash });

/**
 * Session data at rest, with the keyring user PII uses: IP, user agent and metadata in Postgres
 * (each bound to its row), and the whole cached session in Redis (bound to its key), so Redis
 * holds nothing readable and a forged or swapped entry is never taken for a session.
 */
@Injectable()
export class SessionSealer {
  constructor(
    private readonly cipher: FieldCipher,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
  ) {}

  sealOrigin(session: Pick<Session, 'id'> & Origin): SealedOrigin {
    return {
      ip: this.seal(session.id, 'ip', session.ip),
      user_agent: this.seal(session.id, 'user_agent', session.userAgent),
      metadata: this.sealMetadata(session),
    };
  }

  sealMetadata(session: Pick<Session, 'id' | 'metadata'>): string {
    return this.cipher.encryptRow(JSON.stringify(session.metadata), inRow(session.id, 'metadata'));
  }

  /**
   * Opens a row's sealed columns. One that cannot be decrypted reads as absent and is a security
   * event: these are descriptive only, so the session itself stays usable.
   */
  async openOrigin(id: string, stored: SealedOrigin): Promise<Origin> {
    const failures: { column: SealedColumn; reason: string; keyId?: string }[] = [];
    const open = (column: SealedColumn): string | null => {
      const value = stored[column];
      if (value === null) return null;
      try {
        return this.cipher.decryptRow(value, inRow(id, column));
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        failures.push({ column, reason: error.reason, keyId: error.keyId });
        return null;
      }
    };
    const origin = { ip: open('ip'), userAgent: open('user_agent'), metadata: open('metadata') };
    if (failures.length) {
      await this.securityEvents.record({
        action: 'encryption.tampered',
        severity: 'critical',
        outcome: 'failure',
        resourceType: SESSION_TABLE,
        resourceId: id,
        details: { fields: failures },
      });
    }
    return { ...origin, metadata: origin.metadata === null ? {} : (JSON.parse(origin.metadata) as SessionMetadata) };
  }

  sealCached(tokenHash: string, json: string): string {
    return this.cipher.encryptRow(json, inCache(tokenHash));
  }

  /**
   * The cached JSON, or undefined when the entry cannot be decrypted: its key was retired, it was
   * written before sessions were encrypted, or it was tampered with or moved (a security event).
   * Postgres then answers, and the entry is written again.
   */
  async openCached(tokenHash: string, value: string): Promise<string | undefined> {
    try {
      return this.cipher.decryptRow(value, inCache(tokenHash));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      if (error.reason === 'tampered') {
        await this.securityEvents.record({
          action: 'encryption.tampered',
          severity: 'critical',
          outcome: 'failure',
          resourceType: 'session-cache',
          details: { reason: error.reason, keyId: error.keyId },
        });
      }
      return undefined;
    }
  }

  private seal(id: string, column: SealedColumn, value: string | null): string | null {
    return value === null ? null : this.cipher.encryptRow(value, inRow(id, column));
  }
}
