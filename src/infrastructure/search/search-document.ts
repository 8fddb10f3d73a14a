export const SEARCH_INDEXES = ['compliance', 'audit', 'users', 'controls'] as const;
export type SearchIndexName = (typeof SEARCH_INDEXES)[number];

/**
 * The one document model both engines store. `code` is an identifier matched exactly, by prefix
 * and fuzzily (control ids); `title` outweighs `body`; `keywords` are the filterable, facetable
 * fields. `version` orders writes so a late, older copy never overwrites a newer one.
 */
export interface SearchDocument {
  index: SearchIndexName;
  id: string;
  version: number;
  code?: string;
  title: string;
  body: string;
  keywords: Record<string, string>;
  occurredAt: string;
}

/** Which keyword fields each index may be filtered and faceted by. */
export const KEYWORD_FIELDS: Record<SearchIndexName, readonly string[]> = {
  compliance: ['framework', 'status', 'entityId'],
  audit: ['action', 'actorRole', 'targetType'],
  users: ['role', 'status'],
  controls: ['framework', 'group'],
};

export const ALL_KEYWORD_FIELDS = [...new Set(Object.values(KEYWORD_FIELDS).flat())];
