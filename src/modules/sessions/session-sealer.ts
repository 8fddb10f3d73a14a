import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { encryptionRegistry } from '../encryption/encryption-registry.js';
import { DecryptionError, FieldCipher, type RowIdentity } from '../encryption/field-cipher.js';
import { SubjectErasedError, SubjectKeys } from '../encryption/subject-keys.js';
import type { Session, SessionMetadata } from './session.js';

export const SESSION_TABLE = 'session_store';
/** `session_store` columns held as `s1` envelopes under the session user's key, bound to their row. */
const SEALED_COLUMNS = ['ip', 'user_agent', 'metadata'] as const;
type SealedColumn = (typeof SEALED_COLUMNS)[number];

/** What the registry knows `session_store` by: it has no entity, its repository writes SQL. */
class SessionStoreRow {}
// Registered like an @EncryptedColumn({ subject }): a rotation run moves keyring values under the
// user's key, the status report counts them, and a key that still seals one cannot be retired.
for (const column of SEALED_COLUMNS) {
  encryptionRegistry.columns.push({
    target: SessionStoreRow,
    property: column,
    column,
    table: () => SESSION_TABLE,
    subject: { property: 'userId', column: 'user_id' },
  });
}

/** The sealed columns as stored. */
export interface SealedOrigin {
  ip: string | null;
  user_agent: string | null;
  metadata: string | null;
}

type Origin = Pick<Session, 'ip' | 'userAgent' | 'metadata'>;

/** Security events name keyring keys, never a subject's id. */
const keyLabel = (value: string, keyId: string | undefined) =>
  FieldCipher.subjectOf(value) === undefined ? keyId : 'subject';

const inRow = (id: string, column: SealedColumn): RowIdentity => ({ table: SESSION_TABLE, column, id });
/** A Redis entry is bound to its key's token hash: moved under another session's key, it fails. */
const inCache = (tokenHash: string): RowIdentity => ({ table: 'session-cache', column: 'session', id: tokenHash });

/**
 * Session data at rest, under the session user's subject key: IP, user agent and metadata in
 * Postgres (each bound to its row), and the whole cached session in Redis (bound to its key), so
 * Redis holds nothing readable, a forged or swapped entry is never taken for a session, and
 * erasing the user shreds both. Values written before subject keys (`v2`, keyring) still open.
 * Keys come from the subject key cache; a miss (or a first key) goes to Postgres outside any
 * request transaction, like the session rows themselves.
 */
@Injectable()
export class SessionSealer {
  constructor(
    private readonly cipher: FieldCipher,
    private readonly subjectKeys: SubjectKeys,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
  ) {}

  /** Throws SubjectErasedError for an erased user: such a user has no session to write. */
  async sealOrigin(session: Pick<Session, 'id' | 'userId'> & Origin): Promise<SealedOrigin> {
    const subject = await this.subjectKeys.forWriting(session.userId, this.dataSource);
    const seal = (column: SealedColumn, value: string | null) =>
      value === null ? null : this.cipher.encryptForSubject(value, inRow(session.id, column), subject);
    return {
      ip: seal('ip', session.ip),
      user_agent: seal('user_agent', session.userAgent),
      metadata: seal('metadata', JSON.stringify(session.metadata)),
    };
  }

  async sealMetadata(session: Pick<Session, 'id' | 'userId' | 'metadata'>): Promise<string> {
    const subject = await this.subjectKeys.forWriting(session.userId, this.dataSource);
    return this.cipher.encryptForSubject(JSON.stringify(session.metadata), inRow(session.id, 'metadata'), subject);
  }

  /**
   * Opens a row's sealed columns. One that cannot be decrypted reads as absent and is a security
   * event: these are descriptive only, so the session itself stays usable. An erased user's read
   * as absent too, and are no event: nothing is wrong with them.
   */
  async openOrigin(id: string, userId: string, stored: SealedOrigin): Promise<Origin> {
    const failures: { column: SealedColumn; reason: string; keyId?: string }[] = [];
    const open = async (column: SealedColumn): Promise<string | null> => {
      const value = stored[column];
      if (value === null) return null;
      try {
        return await this.openValue(value, inRow(id, column), userId);
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        if (!(error instanceof SubjectErasedError)) {
          failures.push({ column, reason: error.reason, keyId: keyLabel(value, error.keyId) });
        }
        return null;
      }
    };
    const origin = { ip: await open('ip'), userAgent: await open('user_agent'), metadata: await open('metadata') };
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

  async sealCached(session: Pick<Session, 'tokenHash' | 'userId'>, json: string): Promise<string> {
    const subject = await this.subjectKeys.forWriting(session.userId, this.dataSource);
    return this.cipher.encryptForSubject(json, inCache(session.tokenHash), subject);
  }

  /**
   * The cached JSON, or undefined when the entry cannot be decrypted: its user was erased, its key
   * was retired, it was written before sessions were encrypted, or it was tampered with or moved
   * (a security event). Postgres then answers, and the entry is written again.
   */
  async openCached(tokenHash: string, value: string): Promise<string | undefined> {
    try {
      // The entry names its own subject: reading it needs no lookup but the key cache.
      return await this.openValue(value, inCache(tokenHash), FieldCipher.subjectOf(value));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      if (error.reason === 'tampered') {
        await this.securityEvents.record({
          action: 'encryption.tampered',
          severity: 'critical',
          outcome: 'failure',
          resourceType: 'session-cache',
          details: { reason: error.reason, keyId: keyLabel(value, error.keyId) },
        });
      }
      return undefined;
    }
  }

  /** `s1` under `subjectId`'s key (a value under another subject's id is tampered), else keyring `v2`. */
  private async openValue(value: string, row: RowIdentity, subjectId: string | undefined): Promise<string> {
    if (FieldCipher.subjectOf(value) === undefined) return this.cipher.decryptRow(value, row);
    if (subjectId === undefined) throw new DecryptionError('tampered', undefined);
    const subject = await this.subjectKeys.forReading(subjectId, this.dataSource);
    return this.cipher.decryptForSubject(value, row, subject);
  }
}
