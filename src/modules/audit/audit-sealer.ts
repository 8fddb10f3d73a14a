import { Injectable } from '@nestjs/common';
import { DecryptionError, FieldCipher, type RowIdentity } from '../encryption/field-cipher.js';
import { SubjectErasedError, SubjectKeys } from '../encryption/subject-keys.js';
import { AuditDataKeys } from './audit-data-keys.js';

export const AUDIT_TABLE = 'audit_events';
/** Key of `details` holding the sealed PII-bearing part; everything else in `details` stays plaintext. */
export const SEALED_DETAILS_KEY = 'sealed';
/** What a reader sees for a sealed value it cannot open. */
export const UNREADABLE = '[unreadable]';
/** What a reader sees for sealed details of a data subject who was erased. */
export const ERASED = '[erased]';

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
 * trail cannot be rewritten) and read as before. The sensitive details of an event about a data
 * subject (a user resource) are sealed under that subject's key instead, so erasing the subject
 * shreds them too while the chain, which hashes the ciphertext, still verifies. So are the IP and
 * user agent of an acting user (an API key's stay under the audit data key: it is no person).
 */
@Injectable()
export class AuditSealer {
  constructor(
    private readonly dataKeys: AuditDataKeys,
    private readonly subjectKeys: SubjectKeys,
  ) {}

  /**
   * `subjectId`: the user the event is about (its sensitive details go under their key);
   * `actorSubjectId`: the acting user (their IP and user agent go under their key; dropped once
   * they are erased). Without one, the month's audit data key seals them.
   */
  async seal(
    id: string,
    plain: { ip: string | null; userAgent: string | null },
    details: Record<string, unknown>,
    sensitive: Record<string, unknown> | undefined,
    subjectId?: string,
    actorSubjectId?: string,
  ): Promise<SealedParts> {
    const hasSensitive = sensitive !== undefined && Object.keys(sensitive).length > 0;
    const sealed = hasSensitive ? await this.sealDetails(id, JSON.stringify(sensitive), subjectId) : undefined;
    return {
      ...(await this.sealOrigin(id, plain, actorSubjectId)),
      details: sealed ? { ...details, [SEALED_DETAILS_KEY]: sealed } : details,
    };
  }

  private async sealOrigin(
    id: string,
    plain: { ip: string | null; userAgent: string | null },
    actorSubjectId: string | undefined,
  ): Promise<{ ip: string | null; userAgent: string | null }> {
    const cipher = this.dataKeys.sealing();
    if (actorSubjectId === undefined || (plain.ip === null && plain.userAgent === null)) {
      const seal = (value: string | null, column: 'ip' | 'user_agent') =>
        value === null ? null : cipher.encryptRow(value, inEvent(id, column));
      return { ip: seal(plain.ip, 'ip'), userAgent: seal(plain.userAgent, 'user_agent') };
    }
    try {
      const actor = await this.subjectKeys.forWriting(actorSubjectId);
      const seal = (value: string | null, column: 'ip' | 'user_agent') =>
        value === null ? null : cipher.encryptForSubject(value, inEvent(id, column), actor);
      return { ip: seal(plain.ip, 'ip'), userAgent: seal(plain.userAgent, 'user_agent') };
    } catch (error) {
      if (error instanceof SubjectErasedError) return { ip: null, userAgent: null };
      throw error;
    }
  }

  /** Under the subject's key when there is a subject; nothing at all once that subject is erased. */
  private async sealDetails(id: string, json: string, subjectId: string | undefined): Promise<string | undefined> {
    if (subjectId === undefined) return this.dataKeys.sealing().encryptRow(json, inEvent(id, 'details'));
    try {
      const subject = await this.subjectKeys.forWriting(subjectId);
      return this.dataKeys.sealing().encryptForSubject(json, inEvent(id, 'details'), subject);
    } catch (error) {
      if (error instanceof SubjectErasedError) return undefined;
      throw error;
    }
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
    const openAny = (value: string | null, column: 'ip' | 'user_agent' | 'details') =>
      value !== null && FieldCipher.subjectOf(value) !== undefined
        ? this.openForSubject(value, event.id, column)
        : open(value, column);
    const opened = await openAny(stored[2], 'details');
    return {
      ip: await openAny(event.ip, 'ip'),
      userAgent: await openAny(event.userAgent, 'user_agent'),
      details,
      sensitive:
        opened === null
          ? null
          : opened === UNREADABLE || opened === ERASED
            ? { [SEALED_DETAILS_KEY]: opened }
            : (JSON.parse(opened) as Record<string, unknown>),
    };
  }

  private async openForSubject(
    stored: string,
    eventId: string,
    column: 'ip' | 'user_agent' | 'details',
  ): Promise<string> {
    try {
      const subject = await this.subjectKeys.forReading(FieldCipher.subjectOf(stored) as string);
      return this.dataKeys.sealing().decryptForSubject(stored, inEvent(eventId, column), subject);
    } catch (error) {
      if (error instanceof SubjectErasedError) return ERASED;
      if (error instanceof DecryptionError) return UNREADABLE;
      throw error;
    }
  }
}
