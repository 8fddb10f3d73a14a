/**
 * One record's `GET /compliance/records/:id` body as cached: the JSON of the view without its
 * evidence notes (`json`), and the notes apart, so a store can hold them sealed while the rest is
 * served as stored. `generation` is the control graph's when the control title was resolved.
 */
export interface CachedView {
  id: string;
  version: number;
  generation: string;
  json: string;
  evidenceNotes: string | null;
}

/** What the cache holds for one record: its view at `version`, or a tombstone (`view: null`). */
export interface CacheEntry {
  version: number;
  view: CachedView | null;
}

/**
 * Cache-aside store for `GET /compliance/records/:id`: Redis when configured, an in-process LRU
 * otherwise (chosen at boot). Entries carry the record version: a write leaves a tombstone at its
 * new version, and `put` never replaces a newer entry, so a slow reader holding an old row cannot
 * overwrite the invalidation.
 */
export interface RecordCache {
  readonly kind: 'redis' | 'memory';
  get(id: string): Promise<CacheEntry | undefined>;
  /** Stores the view unless the cache already holds something newer. */
  put(view: CachedView): Promise<void>;
  /** Marks the record changed at `version` (update or delete). */
  invalidate(id: string, version: number): Promise<void>;
}

export const RECORD_CACHE = Symbol('RECORD_CACHE');

/** Bump when the cached shape changes, so a deploy never reads entries of the old shape. */
export const RECORD_CACHE_SCHEMA = 'v3';

/** `namespace`: the deployment's Redis namespace (QUEUE_PREFIX). */
export function recordCacheKey(namespace: string, id: string): string {
  return `${namespace}:compliance:record:${RECORD_CACHE_SCHEMA}:${id}`;
}
