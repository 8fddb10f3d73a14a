import type { SearchDocument } from '../../../infrastructure/search/search-document.js';
import { auditDocument } from '../../../infrastructure/search/search-documents.js';
import type { AuditSnapshot } from '../audit-outbox-event.js';

/** Events without a resource (logins, verification runs) still get a facet value. */
const NO_TARGET = 'none';

/**
 * An audit event as the search index sees it. The description spells the dotted action out as
 * words, so "user disabled" finds `user.disabled`; ids are there to find everything one actor did
 * or everything done to one resource.
 */
export function auditSearchDocument(event: AuditSnapshot): SearchDocument {
  const target = event.resourceType ? `${event.resourceType} ${event.resourceId ?? ''}`.trim() : NO_TARGET;
  const description = [
    `${event.action.replace(/[._]/g, ' ')}.`,
    `Outcome ${event.outcome}, severity ${event.severity}.`,
    `Actor ${event.actorRole} ${event.actorId}.`,
    `Target ${target}.`,
    event.route ? `Request ${event.route}.` : '',
  ];
  return auditDocument({
    id: event.id,
    action: event.action,
    actorRole: event.actorRole,
    targetType: event.resourceType ?? NO_TARGET,
    description: description.filter(Boolean).join(' '),
    occurredAt: new Date(event.occurredAt),
  });
}
