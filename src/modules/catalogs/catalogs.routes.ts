/** Route paths shared with app-level wiring (the import routes get their own body limits). */
export const CATALOGS_ROUTE = 'catalogs';
export const CATALOG_IMPORT_ROUTE = `/${CATALOGS_ROUTE}/import`;
/** The NIST SP 800-53 rev5 baselines are 1.2–1.8 MB as minified OSCAL JSON; the full catalog is larger. */
export const CATALOG_IMPORT_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
export const CATALOG_MAPPINGS_IMPORT_ROUTE = `/${CATALOGS_ROUTE}/mappings/import`;
/** JSON or CSV: room for the most mappings one import takes (10,000) with rationales of a few hundred characters. */
export const CATALOG_MAPPINGS_IMPORT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
