import type { SearchDocument, SearchIndexName } from './search-document.js';
import type { SearchQuery } from './search-query.js';

export type SearchEngineKind = 'postgres' | 'elasticsearch';

export interface SearchRequest {
  index: SearchIndexName;
  query: SearchQuery;
  /** Keyword field → exact value; every filter must hold. */
  filters: Record<string, string>;
  facets: string[];
  page: number;
  pageSize: number;
}

export interface SearchHit {
  id: string;
  score: number;
  code?: string;
  title: string;
  keywords: Record<string, string>;
  occurredAt: string;
  /** Fragments with matched terms wrapped in `<mark>…</mark>`. */
  highlights: string[];
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface SearchResult {
  engine: SearchEngineKind;
  total: number;
  /** `gte` when the engine stopped counting: there are at least `total` matches. */
  totalRelation: 'eq' | 'gte';
  hits: SearchHit[];
  facets: Record<string, FacetCount[]>;
}

export interface Suggestion {
  text: string;
  kind: 'control' | 'entity';
}

/** A removal, versioned like a write so an older copy cannot bring the document back. */
export interface SearchDocumentRef {
  index: SearchIndexName;
  id: string;
  version: number;
}

export interface ReindexProgress {
  processed: number;
}

/** What every search backend offers; both engines pass test/integration/search/search-engine.contract. */
export interface SearchEngine {
  readonly kind: SearchEngineKind;
  /** Upserts in bulk; a document older than the stored copy is ignored. */
  index(documents: SearchDocument[]): Promise<void>;
  delete(refs: SearchDocumentRef[]): Promise<void>;
  search(request: SearchRequest): Promise<SearchResult>;
  suggest(index: SearchIndexName, prefix: string, limit: number): Promise<Suggestion[]>;
  /**
   * Rebuilds one index from `batches` while live writes continue; documents not in `batches` and
   * not written since the rebuild began are removed.
   */
  reindex(
    index: SearchIndexName,
    batches: AsyncIterable<SearchDocument[]>,
    onProgress: (progress: ReindexProgress) => void | Promise<void>,
  ): Promise<void>;
  health(): Promise<{ up: boolean; detail?: string }>;
}

/** Raised by an engine that cannot be reached; callers fall back instead of failing. */
export class SearchEngineUnavailableError extends Error {
  override readonly name = 'SearchEngineUnavailableError';
}
