/**
 * Compliance vocabulary treated as equivalent at query time. Elasticsearch loads it into its
 * synonym filter; the Postgres engine expands queries with it. Lowercase, one group per line.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['gdpr', 'general data protection regulation'],
  ['hipaa', 'health insurance portability and accountability act'],
  ['soc2', 'soc 2', 'service organization control 2'],
  ['pci-dss', 'pci dss', 'payment card industry data security standard'],
  ['iso27001', 'iso 27001', 'information security management system'],
  ['mfa', 'multi-factor authentication', 'two-factor authentication'],
  ['dpa', 'data processing agreement'],
];

/** Solr-format rules for Elasticsearch's `synonym_graph` filter. */
export const SYNONYM_RULES = SYNONYM_GROUPS.map((group) => group.join(', '));
