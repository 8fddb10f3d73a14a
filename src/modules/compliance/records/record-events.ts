import type { RecordResponse } from './dto/record.response.js';

export const RECORD_CREATED = 'record.created';
export const RECORD_UPDATED = 'record.updated';
export const RECORD_DELETED = 'record.deleted';

/**
 * Outbox payload of every record event: the record's public view (never evidence notes) and
 * whether its assessment (status, score or time) changed, which is what the time series records.
 */
export interface RecordEventPayload extends Record<string, unknown> {
  record: RecordResponse;
  version: number;
  assessmentChanged: boolean;
}

export function recordEventPayload(record: RecordResponse, assessmentChanged: boolean): RecordEventPayload {
  return { record, version: record.version, assessmentChanged };
}
