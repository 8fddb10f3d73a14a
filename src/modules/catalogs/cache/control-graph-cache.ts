/** A lookup's answer: the value stored in the current generation, if any, and that generation. */
export interface CacheLookup {
  generation: string;
  value: unknown;
}

/**
 * Traversal answers, keyed by query. Entries belong to a generation; `invalidate` starts a new one,
 * so one O(1) step drops every answer of the old graph. A miss stores its answer under the generation
 * it read: an answer computed before an invalidation is stored where nobody looks any more.
 */
export interface ControlGraphCache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<CacheLookup>;
  put(generation: string, key: string, value: unknown): Promise<void>;
  invalidate(): Promise<void>;
  /** The current generation alone: what a cache of views derived from the graph keys its entries by. */
  generation(): Promise<string>;
}

export const CONTROL_GRAPH_CACHE = Symbol('CONTROL_GRAPH_CACHE');

export const CONTROL_GRAPH_CACHE_METRIC = 'control_graph_cache_requests_total';
