import type { RecordResponse } from '../dto/record.response.js';

/** What the cache holds for one record: its view at `version`, or a tombstone (`record: null`). */
export interface CacheEntry {
  version: number;
  record: RecordResponse | null;
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
  put(record: RecordResponse): Promise<void>;
  /** Marks the record changed at `version` (update or delete). */
  invalidate(id: string, version: number): Promise<void>;
}

export const RECORD_CACHE = Symbol('RECORD_CACHE');

/** Bump when the cached shape changes, so a deploy never reads entries of the old shape. */
export const RECORD_CACHE_SCHEMA = 'v2';

/** `namespace`: the deployment's Redis namespace (QUEUE_PREFIX). */
export function recordCacheKey(namespace: string, id: string): string {
  return `${namespace}:compliance:record:${RECORD_CACHE_SCHEMA}:${id}`;
}
