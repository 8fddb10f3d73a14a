import type { SearchDocument } from './search-document.js';

/** What the compliance module hands over for one record (evidence notes are never indexed: PII). */
export interface ComplianceRecordFacts {
  id: string;
  version: number;
  entityId: string;
  framework: string;
  controlId: string;
  controlTitle: string;
  status: string;
  score: number;
  summary: string;
  assessedAt: Date;
}

export interface AuditEventFacts {
  id: string;
  action: string;
  actorRole: string;
  targetType: string;
  description: string;
  occurredAt: Date;
}

/** Users are searchable by non-sensitive fields only: never names, emails or anything decrypted. */
export interface UserFacts {
  id: string;
  version: number;
  role: string;
  status: string;
  createdAt: Date;
}

export function complianceDocument(record: ComplianceRecordFacts): SearchDocument {
  return {
    index: 'compliance',
    id: record.id,
    version: record.version,
    code: record.controlId,
    title: `${record.framework} ${record.controlId} ${record.controlTitle}`,
    body: `${record.summary} Status ${record.status}, score ${record.score}.`,
    keywords: { framework: record.framework, status: record.status, entityId: record.entityId },
    occurredAt: record.assessedAt.toISOString(),
  };
}

/** Audit events are immutable, so their version is constant. */
export function auditDocument(event: AuditEventFacts): SearchDocument {
  return {
    index: 'audit',
    id: event.id,
    version: 1,
    title: event.action,
    body: event.description,
    keywords: { action: event.action, actorRole: event.actorRole, targetType: event.targetType },
    occurredAt: event.occurredAt.toISOString(),
  };
}

export function userDocument(user: UserFacts): SearchDocument {
  return {
    index: 'users',
    id: user.id,
    version: user.version,
    title: `${user.role} user`,
    body: `${user.status}`,
    keywords: { role: user.role, status: user.status },
    occurredAt: user.createdAt.toISOString(),
  };
}
