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

/**
 * A catalog control: published catalog text, not personal data, so its title, statement and
 * guidance are all indexed. `version` is chosen by the catalogs module (see docs/search.md).
 */
export interface ControlFacts {
  framework: string;
  controlId: string;
  label: string | null;
  groupId: string | null;
  title: string;
  statement: string | null;
  guidance: string | null;
  version: number;
  updatedAt: Date;
}

/** One document per (framework, OSCAL id): stable across re-imports, unlike the row's identity. */
export const controlDocumentId = (framework: string, controlId: string) => `${framework}:${controlId}`;

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

export function controlDocument(control: ControlFacts): SearchDocument {
  return {
    index: 'controls',
    id: controlDocumentId(control.framework, control.controlId),
    version: control.version,
    code: control.controlId,
    title: [control.label, control.title].filter(Boolean).join(' '),
    body: [control.statement, control.guidance].filter(Boolean).join('\n'),
    keywords: { framework: control.framework, ...(control.groupId ? { group: control.groupId } : {}) },
    occurredAt: control.updatedAt.toISOString(),
  };
}
