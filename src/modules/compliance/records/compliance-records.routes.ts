/** Route paths shared with app-level wiring (the bulk route gets its own body limit). */
export const RECORDS_ROUTE = 'compliance/records';
export const BULK_RECORDS_ROUTE = `/${RECORDS_ROUTE}/bulk`;
export const MAX_BULK_RECORDS = 10_000;
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
