import { Injectable } from '@nestjs/common';
import { DecryptionError, type RowIdentity } from '../encryption/field-cipher.js';
import { AuditDataKeys } from './audit-data-keys.js';

export const AUDIT_TABLE = 'audit_events';
/** Key of `details` holding the sealed PII-bearing part; everything else in `details` stays plaintext. */
export const SEALED_DETAILS_KEY = 'sealed';
/** What a reader sees for a sealed value it cannot open. */
export const UNREADABLE = '[unreadable]';

const ENVELOPE = /^v\d+:/;

/** The sealed parts of an event as they are stored, and so hashed. */
export interface SealedParts {
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

/** The same parts opened for a reader. */
export interface OpenedParts {
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  sensitive: Record<string, unknown> | null;
}

const inEvent = (id: string, column: 'ip' | 'user_agent' | 'details'): RowIdentity => ({
  table: AUDIT_TABLE,
  column,
  id,
});

/**
 * Personal data in the audit trail: IP, user agent and the PII-bearing part of `details` are
 * sealed under the month's audit data key (AuditDataKeys, wrapped by the keyring user PII uses)
 * before the event is hashed, each bound to the event's id, so the chain covers exactly the stored
 * ciphertext and verifies without any key. Events written before sealing keep their plaintext (the
 * trail cannot be rewritten) and read as before.
 */
@Injectable()
export class AuditSealer {
  constructor(private readonly dataKeys: AuditDataKeys) {}

  seal(
    id: string,
    plain: { ip: string | null; userAgent: string | null },
    details: Record<string, unknown>,
    sensitive: Record<string, unknown> | undefined,
  ): SealedParts {
    const cipher = this.dataKeys.sealing();
    const seal = (value: string | null, column: 'ip' | 'user_agent') =>
      value === null ? null : cipher.encryptRow(value, inEvent(id, column));
    const hasSensitive = sensitive !== undefined && Object.keys(sensitive).length > 0;
    return {
      ip: seal(plain.ip, 'ip'),
      userAgent: seal(plain.userAgent, 'user_agent'),
      details: hasSensitive
        ? {
            ...details,
            [SEALED_DETAILS_KEY]: cipher.encryptRow(JSON.stringify(sensitive), inEvent(id, 'details')),
          }
        : details,
    };
  }

  /** A value that cannot be opened (tampered, key missing) reads as `[unreadable]`; verify reports the tampering. */
  async open(event: { id: string } & SealedParts): Promise<OpenedParts> {
    const { [SEALED_DETAILS_KEY]: sealed, ...details } = event.details;
    const stored = [event.ip, event.userAgent, typeof sealed === 'string' ? sealed : null];
    const keyIds = stored.map((value) => (value !== null && ENVELOPE.test(value) ? value.split(':')[1] : undefined));
    const cipher = await this.dataKeys.opening(keyIds.find((keyId) => keyId !== undefined));
    const open = (value: string | null, column: 'ip' | 'user_agent' | 'details'): string | null => {
      if (value === null || !ENVELOPE.test(value)) return value;
      try {
        return cipher.decryptRow(value, inEvent(event.id, column));
      } catch (error) {
        if (error instanceof DecryptionError) return UNREADABLE;
        throw error;
      }
    };
    const opened = open(stored[2], 'details');
    return {
      ip: open(event.ip, 'ip'),
      userAgent: open(event.userAgent, 'user_agent'),
      details,
      sensitive:
        opened === null
          ? null
          : opened === UNREADABLE
            ? { [SEALED_DETAILS_KEY]: UNREADABLE }
            : (JSON.parse(opened) as Record<string, unknown>),
    };
  }
}
