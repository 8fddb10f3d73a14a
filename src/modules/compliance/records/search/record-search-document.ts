import { Injectable } from '@nestjs/common';
import type { SearchDocument } from '../../../../infrastructure/search/search-document.js';
import { complianceDocument } from '../../../../infrastructure/search/search-documents.js';
import { CatalogsService, controlRefKey } from '../../../catalogs/catalogs.service.js';
import { ComplianceRecordsRepository } from '../compliance-records.repository.js';
import type { ComplianceRecord } from '../entities/compliance-record.entity.js';
import type { RecordSnapshot } from '../record-events.js';

/**
 * A record as the search index sees it. Only classification facts are indexed: `details` may
 * name reviewers and evidence notes carry personal data, so neither leaves Postgres this way.
 * The framework's full name is part of the control title, which is what makes "general data
 * protection" find GDPR records; the control's own title follows it when the framework's catalog
 * has the control.
 */
export function recordSearchDocument(
  record: RecordSnapshot,
  frameworkName: string,
  controlTitle?: string,
): SearchDocument {
  return complianceDocument({
    id: record.id,
    version: record.version,
    entityId: record.entityId,
    framework: record.framework,
    controlId: record.controlId,
    controlTitle: controlTitle ? `${frameworkName} ${controlTitle}` : frameworkName,
    status: record.status,
    score: record.score,
    summary: `Control ${record.controlId} of ${record.framework} assessed for ${record.entityId}.`,
    assessedAt: new Date(record.assessedAt),
  });
}

/** A stored record's indexed fields; evidence notes are never read, so an unreadable one cannot stop indexing. */
export function searchedFieldsOf(row: ComplianceRecord): RecordSnapshot {
  const { id, entityId, framework, controlId, status, score, details, version } = row;
  return {
    id,
    entityId,
    framework,
    controlId,
    status,
    score,
    details,
    version,
    assessedAt: row.assessedAt.toISOString(),
  };
}

/** Builds the documents of a batch of records: two queries whatever its size (framework names, control titles). */
@Injectable()
export class RecordSearchDocuments {
  constructor(
    private readonly records: ComplianceRecordsRepository,
    private readonly catalogs: CatalogsService,
  ) {}

  async of(records: RecordSnapshot[]): Promise<SearchDocument[]> {
    if (!records.length) return [];
    const frameworkNames = await this.records.frameworkNames();
    const controls = await this.catalogs.resolveControls(records);
    return records.map((record) =>
      recordSearchDocument(
        record,
        frameworkNames.get(record.framework) ?? record.framework,
        controls.get(controlRefKey(record))?.control?.title,
      ),
    );
  }
}
