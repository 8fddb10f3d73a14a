import { ANONYMOUS_ACTOR, type ChainedEvent, SYSTEM_ACTOR } from './audit-event.js';

/** Outbox type of every appended audit event; the aggregate is the event id. */
export const AUDIT_EVENT_RECORDED = 'audit.event.recorded';

/**
 * What an audit event hands the outbox: who, what, on what, with which outcome, and its place in
 * its chain (so a SIEM can check order and continuity). Never `details` (diffs and security context
 * stay in the trail), nor IP or user agent.
 */
export interface AuditSnapshot {
  id: string;
  shard: number;
  seq: number;
  /** The chain hash (hex) of the shard's previous event: with `hash`, a receiver can check the links. */
  prevHash: string;
  /** The event's chain hash (hex), also what audit checkpoints sign for the shard's head. */
  hash: string;
  occurredAt: string;
  action: string;
  actorId: string;
  actorRole: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  severity: string;
  route: string | null;
  /** The W3C trace id the event was recorded in, to find its trace from the SIEM; null without one. */
  traceId: string | null;
}

export interface AuditEventPayload extends Record<string, unknown> {
  event: AuditSnapshot;
}

export function auditSnapshot(event: ChainedEvent): AuditSnapshot {
  const { details } = event;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const route = text(details.route);
  return {
    id: event.id,
    shard: event.shard,
    seq: event.seq,
    prevHash: event.prevHash,
    hash: event.hash,
    occurredAt: new Date(event.occurredAt).toISOString(),
    action: event.action,
    actorId: event.actorId,
    actorRole: text(details.actorRole) ?? actorKind(event.actorId),
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    outcome: event.outcome,
    severity: event.severity,
    route: route && text(details.method) ? `${text(details.method)} ${route}` : route,
    traceId: event.traceId ?? null,
  };
}

/** Events recorded before roles were, and those of no session, still get a facet value. */
function actorKind(actorId: string): string {
  return actorId === SYSTEM_ACTOR || actorId === ANONYMOUS_ACTOR ? actorId : 'unknown';
}
