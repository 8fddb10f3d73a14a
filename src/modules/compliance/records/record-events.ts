import type { RecordResponse } from './dto/record.response.js';

export const RECORD_CREATED = 'record.created';
export const RECORD_UPDATED = 'record.updated';
export const RECORD_DELETED = 'record.deleted';

/** What leaves Postgres through the outbox: named fields only, so evidence notes never do. */
export type RecordSnapshot = Pick<
  RecordResponse,
  'id' | 'entityId' | 'framework' | 'controlId' | 'status' | 'score' | 'details' | 'assessedAt' | 'version'
>;

/**
 * Outbox payload of every record event: the snapshot, its version, and whether the assessment
 * (status, score or time) changed, which is what the time series records.
 */
export interface RecordEventPayload extends Record<string, unknown> {
  record: RecordSnapshot;
  version: number;
  assessmentChanged: boolean;
}

export function recordEventPayload(record: RecordSnapshot, assessmentChanged: boolean): RecordEventPayload {
  const { id, entityId, framework, controlId, status, score, details, assessedAt, version } = record;
  return {
    record: { id, entityId, framework, controlId, status, score, details, assessedAt, version },
    version,
    assessmentChanged,
  };
}
