/** Route paths shared with app-level wiring (the bulk route gets its own body limit). */
export const RECORDS_ROUTE = 'compliance/records';
export const BULK_RECORDS_ROUTE = `/${RECORDS_ROUTE}/bulk`;
export const MAX_BULK_RECORDS = 10_000;
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
/** Serialized `details` above this many bytes are rejected. */
export const MAX_DETAILS_BYTES = 16_384;
/** Longest accepted evidence note, in characters. */
export const MAX_EVIDENCE_NOTES_LENGTH = 10_000;
