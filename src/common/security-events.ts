import { Injectable, Logger } from '@nestjs/common';
import type { RequestMeta } from './request-meta.js';

export type SecuritySeverity = 'info' | 'warning' | 'critical';
/** `denied`: the request was refused (401, 403, locked); `failure`: something failed (bad password, tampering). */
export type SecurityOutcome = 'success' | 'failure' | 'denied';

/** Something a security reviewer must be able to find: failed logins, lockouts, 401/403, tampering. */
export interface SecurityEvent {
  /** Dotted name, e.g. `auth.login.failed`, `auth.forbidden`, `encryption.tampered`. */
  action: string;
  severity: SecuritySeverity;
  outcome: SecurityOutcome;
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  request?: RequestMeta;
  /** Never plaintext PII or secrets. */
  details?: Record<string, unknown>;
}

/**
 * Where security events go. They are recorded outside the request's transaction: a request that
 * fails (and rolls back) must still leave its security event behind.
 */
export interface SecurityEventSink {
  record(event: SecurityEvent): Promise<void>;
}

export const SECURITY_EVENTS = Symbol('SECURITY_EVENTS');

/** Security events as structured warning log lines: the audit sink's fallback when Postgres is unavailable. */
@Injectable()
export class LoggingSecurityEventSink implements SecurityEventSink {
  private readonly logger = new Logger('SecurityEvents');

  async record(event: SecurityEvent): Promise<void> {
    this.logger.warn({ securityEvent: event }, event.action);
  }
}
