/** Route paths shared with app-level wiring (the import route gets its own body limit). */
export const CATALOGS_ROUTE = 'catalogs';
export const CATALOG_IMPORT_ROUTE = `/${CATALOGS_ROUTE}/import`;
/** The NIST SP 800-53 rev5 baselines are 1.2–1.8 MB as minified OSCAL JSON; the full catalog is larger. */
export const CATALOG_IMPORT_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
