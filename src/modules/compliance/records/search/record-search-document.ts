import type { SearchDocument } from '../../../../infrastructure/search/search-document.js';
import { complianceDocument } from '../../../../infrastructure/search/search-documents.js';
import type { RecordSnapshot } from '../record-events.js';

/**
 * A record as the search index sees it. Only classification facts are indexed: `details` may
 * name reviewers and evidence notes carry personal data, so neither leaves Postgres this way.
 * The framework's full name is the control title, which is what makes "general data protection"
 * find GDPR records.
 */
export function recordSearchDocument(record: RecordSnapshot, frameworkName: string): SearchDocument {
  return complianceDocument({
    id: record.id,
    version: record.version,
    entityId: record.entityId,
    framework: record.framework,
    controlId: record.controlId,
    controlTitle: frameworkName,
    status: record.status,
    score: record.score,
    summary: `Control ${record.controlId} of ${record.framework} assessed for ${record.entityId}.`,
    assessedAt: new Date(record.assessedAt),
  });
}
