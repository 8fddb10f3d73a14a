import type { SearchDocument, SearchIndexName } from '../search-document.js';
import type {
  FacetCount,
  ReindexProgress,
  SearchDocumentRef,
  SearchEngine,
  SearchHit,
  SearchRequest,
  SearchResult,
  Suggestion,
} from '../search-engine.js';
import { highlightFragments, HEADLINE_OPTIONS } from './highlight.js';
import { compileSearch } from './postgres-search-query.js';
import { escapeLike, SqlParameters, SqlRunner } from './sql-parameters.js';
import { QueryOwner } from '../../database/query-owner.js';

interface HitRow {
  document_id: string;
  code: string | null;
  title: string;
  keywords: Record<string, string>;
  occurred_at: Date;
  score: number;
  headline: string;
  total: string;
}

const FACET_LIMIT = 50;

export interface PostgresSearchOptions {
  /** Rank at most this many matches (and count no further); 0 ranks and counts every match. */
  rankCandidates: number;
  /** Where searches and suggestions run, if not on `runner`: a read replica when one fits. */
  reader?: () => Promise<SqlRunner>;
}

/** Keeps the newest version of each document when a batch names one twice. */
function newestPerDocument<T extends { index: string; id: string; version: number }>(items: T[]): T[] {
  const newest = new Map<string, T>();
  for (const item of items) {
    const key = `${item.index}\u0000${item.id}`;
    const seen = newest.get(key);
    if (!seen || seen.version <= item.version) newest.set(key, item);
  }
  return [...newest.values()];
}

/**
 * Postgres full text over `search_documents`: the embedded default and the fallback that is always
 * written. `runner` is resolved per call so writes join the caller's transaction.
 */
@QueryOwner()
export class PostgresSearchEngine implements SearchEngine {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly runner: () => SqlRunner,
    private readonly options: PostgresSearchOptions = { rankCandidates: 0 },
  ) {}

  private reader(): Promise<SqlRunner> {
    return this.options.reader ? this.options.reader() : Promise.resolve(this.runner());
  }

  async index(documents: SearchDocument[]): Promise<void> {
    if (!documents.length) return;
    const rows = newestPerDocument(documents);
    await this.runner().query(
      `INSERT INTO search_documents (index_name, document_id, version, code, title, body, keywords, occurred_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[])
       ON CONFLICT (index_name, document_id) DO UPDATE SET
         version = EXCLUDED.version, deleted = false, code = EXCLUDED.code, title = EXCLUDED.title,
         body = EXCLUDED.body, keywords = EXCLUDED.keywords, occurred_at = EXCLUDED.occurred_at,
         indexed_at = clock_timestamp()
       WHERE search_documents.version < EXCLUDED.version
          OR (search_documents.version = EXCLUDED.version AND NOT search_documents.deleted)`,
      [
        rows.map((d) => d.index),
        rows.map((d) => d.id),
        rows.map((d) => d.version),
        rows.map((d) => d.code ?? null),
        rows.map((d) => d.title),
        rows.map((d) => d.body),
        rows.map((d) => JSON.stringify(d.keywords)),
        rows.map((d) => d.occurredAt),
      ],
    );
  }

  async delete(refs: SearchDocumentRef[]): Promise<void> {
    if (!refs.length) return;
    const rows = newestPerDocument(refs);
    await this.runner().query(
      `INSERT INTO search_documents (index_name, document_id, version, deleted, occurred_at)
       SELECT index_name, document_id, version, true, now()
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(index_name, document_id, version)
       ON CONFLICT (index_name, document_id) DO UPDATE SET
         version = EXCLUDED.version, deleted = true, code = NULL, title = '', body = '', keywords = '{}',
         indexed_at = clock_timestamp()
       WHERE search_documents.version <= EXCLUDED.version`,
      [rows.map((r) => r.index), rows.map((r) => r.id), rows.map((r) => r.version)],
    );
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    const runner = await this.reader();
    const params = new SqlParameters();
    const { sql: candidates, from } = this.candidates(request, params);
    const index = params.add(request.index);
    const limit = params.add(request.pageSize);
    const offset = params.add((request.page - 1) * request.pageSize);
    const rows = (await runner.query(
      `WITH matched AS MATERIALIZED (${candidates}),
       page AS (SELECT * FROM matched ORDER BY score DESC, document_id LIMIT ${limit} OFFSET ${offset})
       SELECT d.document_id, d.code, d.title, d.keywords, d.occurred_at, page.score::float8 AS score,
              ts_headline('english', d.title || ' ||| ' || d.body, s.q, '${HEADLINE_OPTIONS}') AS headline,
              (SELECT count(*) FROM matched) AS total
       FROM page, ${from} WHERE d.index_name = ${index} AND d.document_id = page.document_id
       ORDER BY page.score DESC, page.document_id`,
      params.values,
    )) as HitRow[];
    const total = rows.length ? Number(rows[0].total) : await this.count(runner, request);
    const cap = this.options.rankCandidates;
    return {
      engine: this.kind,
      total,
      totalRelation: cap && total >= cap ? 'gte' : 'eq',
      hits: rows.map(toHit),
      facets: await this.facets(runner, request),
    };
  }

  async suggest(index: SearchIndexName, prefix: string, limit: number): Promise<Suggestion[]> {
    const text = prefix.toLowerCase();
    const rows = (await (
      await this.reader()
    ).query(
      `(SELECT DISTINCT ON (lower(code)) code AS text, 'control' AS kind, similarity(lower(code), $2) AS rank
          FROM search_documents
         WHERE index_name = $1 AND NOT deleted AND (lower(code) LIKE $3 OR lower(code) % $2)
         ORDER BY lower(code), rank DESC)
       UNION ALL
       (SELECT DISTINCT keywords->>'entityId', 'entity', 0.5
          FROM search_documents
         WHERE index_name = $1 AND NOT deleted AND keywords->>'entityId' LIKE $3
         LIMIT $4)
       ORDER BY rank DESC, text LIMIT $4`,
      [index, text, `${escapeLike(text)}%`, limit],
    )) as { text: string; kind: Suggestion['kind']; rank: number }[];
    return rows.map(({ text: suggestion, kind }) => ({ text: suggestion, kind }));
  }

  async reindex(
    index: SearchIndexName,
    batches: AsyncIterable<SearchDocument[]>,
    onProgress: (progress: ReindexProgress) => void | Promise<void>,
  ): Promise<void> {
    // Kept as text: a JS Date would cut the microseconds and spare rows written just before the start.
    const [{ started_at: startedAt }] = (await this.runner().query(`SELECT clock_timestamp()::text AS started_at`)) as {
      started_at: string;
    }[];
    let processed = 0;
    for await (const batch of batches) {
      await this.index(batch.filter((document) => document.index === index));
      processed += batch.length;
      await onProgress({ processed });
    }
    await this.runner().query(`DELETE FROM search_documents WHERE index_name = $1 AND indexed_at < $2::timestamptz`, [
      index,
      startedAt,
    ]);
  }

  async health(): Promise<{ up: boolean; detail?: string }> {
    await this.runner().query('SELECT 1 FROM search_documents LIMIT 1');
    return { up: true };
  }

  /**
   * The matches to rank, with their score: every match, or with a cap the first `cap` (in storage
   * order, so every page of one query sees the same set) plus control-id matches so an exact id
   * still wins. `from` names the table `d` and the query `s.q` for the statement around it.
   */
  private candidates(request: SearchRequest, params: SqlParameters): { sql: string; from: string } {
    const { from, where, codeBoost, codePrefix } = compileSearch(request, params, true);
    const ranked = `SELECT d.document_id, ts_rank_cd(d.search_vector, s.q) + ${codeBoost} AS score FROM ${from} WHERE ${where}`;
    const cap = this.options.rankCandidates;
    const sql = !cap
      ? ranked
      : codePrefix
        ? `(${ranked} LIMIT ${cap}) UNION (${ranked} AND ${codePrefix} LIMIT ${cap})`
        : `${ranked} LIMIT ${cap}`;
    return { sql, from };
  }

  /** The total for a page past the last hit: counts the same candidates, so a cap still applies. */
  private async count(runner: SqlRunner, request: SearchRequest): Promise<number> {
    const params = new SqlParameters();
    const [row] = (await runner.query(
      `SELECT count(*) AS total FROM (${this.candidates(request, params).sql}) matched`,
      params.values,
    )) as { total: string }[];
    return Number(row.total);
  }

  /** Every requested facet in one pass over all matches (never capped), the top values of each. */
  private async facets(runner: SqlRunner, request: SearchRequest): Promise<Record<string, FacetCount[]>> {
    const facets: Record<string, FacetCount[]> = Object.fromEntries(request.facets.map((field) => [field, []]));
    if (!request.facets.length) return facets;
    const params = new SqlParameters();
    const { from, where } = compileSearch(request, params);
    const fields = params.add(request.facets);
    const rows = (await runner.query(
      `SELECT field, value, count FROM (
         SELECT f.key AS field, f.value, count(*)::int AS count,
                row_number() OVER (PARTITION BY f.key ORDER BY count(*) DESC, f.value) AS position
         FROM ${from}, jsonb_each_text(d.keywords) f
         WHERE ${where} AND f.key = ANY(${fields}::text[])
         GROUP BY f.key, f.value) counted
       WHERE position <= ${FACET_LIMIT} ORDER BY field, position`,
      params.values,
    )) as (FacetCount & { field: string })[];
    for (const { field, value, count } of rows) facets[field].push({ value, count });
    return facets;
  }
}

function toHit(row: HitRow): SearchHit {
  return {
    id: row.document_id,
    score: Number(row.score),
    ...(row.code ? { code: row.code } : {}),
    title: row.title,
    keywords: row.keywords,
    occurredAt: new Date(row.occurred_at).toISOString(),
    highlights: highlightFragments(row.headline),
  };
}
