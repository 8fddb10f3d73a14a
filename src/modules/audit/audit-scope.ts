import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, SetMetadata } from '@nestjs/common';
import type { AuditSeverity } from './audit-event.js';

/** What a service may tell the audit interceptor about the change its request made. */
export interface AuditDescription {
  action?: string;
  resourceType?: string;
  resourceId?: string;
  severity?: AuditSeverity;
  /** Merged into the event's details, e.g. `auditDiff(before, after, ...)`. */
  details?: Record<string, unknown>;
  /** Merged into the event's sensitive details, stored encrypted (`AuditEventInput.sensitive`). */
  sensitive?: Record<string, unknown>;
}

interface ScopeState extends AuditDescription {
  recorded: boolean;
}

/**
 * The audit "scope" of one mutating request. The interceptor opens it; services enrich the one
 * event it will write (`describe`), or record their own event, which then replaces it.
 */
@Injectable()
export class AuditScope {
  private readonly storage = new AsyncLocalStorage<ScopeState>();

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.storage.run({ recorded: false }, work);
  }

  describe(description: AuditDescription): void {
    const state = this.storage.getStore();
    if (!state) return;
    const details = { ...state.details, ...description.details };
    const sensitive =
      state.sensitive || description.sensitive ? { ...state.sensitive, ...description.sensitive } : undefined;
    Object.assign(state, description, { details, sensitive });
  }

  markRecorded(): void {
    const state = this.storage.getStore();
    if (state) state.recorded = true;
  }

  /** The description so far, or undefined when the request's service recorded its own event. */
  pending(): AuditDescription | undefined {
    const state = this.storage.getStore();
    if (!state || state.recorded) return undefined;
    const { recorded: _recorded, ...description } = state;
    return description;
  }
}

export const AUDIT_ACTION_KEY = 'audit:action';
export const AUDIT_SELF_RECORDED_KEY = 'audit:self-recorded';

/** Names the event the interceptor records for this route, e.g. `compliance.record.updated`. */
export const AuditAction = (action: string) => SetMetadata(AUDIT_ACTION_KEY, action);

/** The route's service records its own event(s) through AuditService; the interceptor stays out. */
export const RecordsOwnAudit = () => SetMetadata(AUDIT_SELF_RECORDED_KEY, true);
