import type { RequestMeta } from '../../common/request-meta.js';
import type { SecurityOutcome, SecuritySeverity } from '../../common/security-events.js';

export type AuditSeverity = SecuritySeverity;
export const AUDIT_SEVERITIES: AuditSeverity[] = ['info', 'warning', 'critical'];
export type AuditOutcome = SecurityOutcome;

/** What a caller records; everything but `action` has a default. */
export interface AuditEventInput {
  /** Dotted name, e.g. `compliance.record.updated`, `auth.login.failed`. */
  action: string;
  /** A user id, `system` (default) or `anonymous`. */
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: AuditOutcome;
  severity?: AuditSeverity;
  request?: RequestMeta;
  /** Stored as given: never plaintext PII or secrets; use `auditDiff` for before/after. */
  details?: Record<string, unknown>;
  /** PII-bearing details (old and new values of encrypted fields): stored encrypted, never secrets. */
  sensitive?: Record<string, unknown>;
}

/** One event as stored: its place in a chain and the fields the hash covers. */
export interface ChainedEvent {
  shard: number;
  seq: number;
  occurredAt: Date;
  id: string;
  actorId: string;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  severity: AuditSeverity;
  requestId: string | null;
  /**
   * The trace the event was recorded in (tracing on, docs/tracing.md). Absent rather than null
   * when there was none, so that it stays out of the hash of events recorded before it existed.
   */
  traceId?: string;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export const SYSTEM_ACTOR = 'system';
export const ANONYMOUS_ACTOR = 'anonymous';
