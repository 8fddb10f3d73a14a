export const RECORD_STATUSES = ['passed', 'failed', 'warning', 'not_applicable', 'pending'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];
