import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SearchDocument, SearchIndexName } from '../../infrastructure/search/search-document.js';
import type { SearchDocumentRef } from '../../infrastructure/search/search-engine.js';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

export interface BacklogEntry {
  index: SearchIndexName;
  id: string;
  /** Postgres' own text form: keeps the microseconds that acknowledging compares. */
  enqueuedAt: string;
  /** The current copy, or a removal when the document was deleted or is gone. */
  document?: SearchDocument;
  removal?: SearchDocumentRef;
}

export interface ReindexRun {
  id: string;
  index: SearchIndexName;
  status: 'running' | 'completed' | 'failed';
  processed: number;
  startedAt: Date;
  finishedAt: Date | null;
  failure: string | null;
}

interface BacklogRow {
  index_name: SearchIndexName;
  document_id: string;
  enqueued_at: string;
  version: string | null;
  deleted: boolean | null;
  code: string | null;
  title: string;
  body: string;
  keywords: Record<string, string>;
  occurred_at: Date;
}

type DocumentColumns = Pick<
  BacklogRow,
  'document_id' | 'version' | 'code' | 'title' | 'body' | 'keywords' | 'occurred_at'
>;

/** A `search_documents` row back in the engines' document shape. */
function toDocument(index: SearchIndexName, row: DocumentColumns): SearchDocument {
  return {
    index,
    id: row.document_id,
    version: Number(row.version),
    ...(row.code ? { code: row.code } : {}),
    title: row.title,
    body: row.body,
    keywords: row.keywords,
    occurredAt: new Date(row.occurred_at).toISOString(),
  };
}

/** Search's own bookkeeping in Postgres: the Elasticsearch backlog and reindex runs. */
@QueryOwner()
@Injectable()
export class SearchRepository {
  constructor(private readonly transactions: TransactionContext) {}

  /** Marks documents as still to copy to Elasticsearch, in the caller's transaction. */
  async enqueue(refs: { index: SearchIndexName; id: string }[]): Promise<void> {
    if (!refs.length) return;
    await this.transactions.manager.query(
      `INSERT INTO search_index_backlog (index_name, document_id)
       SELECT DISTINCT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (index_name, document_id) DO UPDATE SET enqueued_at = clock_timestamp()`,
      [refs.map((r) => r.index), refs.map((r) => r.id)],
    );
  }

  /**
   * Deletes every document of `index` that occurred before `before` from the Postgres index, in the
   * caller's transaction, queueing each for removal from Elasticsearch when `queue` is set. Rows go
   * rather than become tombstones: this is for sources whose rows never change (retention).
   */
  async expire(index: SearchIndexName, before: Date, queue: boolean): Promise<number> {
    const [{ removed }] = (await this.transactions.manager.query(
      `WITH removed AS (
         DELETE FROM search_documents WHERE index_name = $1 AND occurred_at < $2 RETURNING index_name, document_id),
       queued AS (
         INSERT INTO search_index_backlog (index_name, document_id)
         SELECT index_name, document_id FROM removed WHERE $3
         ON CONFLICT (index_name, document_id) DO UPDATE SET enqueued_at = clock_timestamp())
       SELECT count(*)::int AS removed FROM removed`,
      [index, before, queue],
    )) as { removed: number }[];
    return removed;
  }

  /** Ids of the live documents of `index` whose keywords contain `scope`, other than `present`. */
  async liveIdsExcept(index: SearchIndexName, scope: Record<string, string>, present: string[]): Promise<string[]> {
    const rows = (await this.transactions.manager.query(
      `SELECT document_id FROM search_documents
       WHERE index_name = $1 AND NOT deleted AND keywords @> $2::jsonb AND document_id <> ALL($3::text[])`,
      [index, JSON.stringify(scope), present],
    )) as { document_id: string }[];
    return rows.map((row) => row.document_id);
  }

  /** Re-queues every document of an index written at or after `since` (writes racing a rebuild). */
  async enqueueWrittenSince(index: SearchIndexName, since: Date): Promise<void> {
    await this.transactions.manager.query(
      `INSERT INTO search_index_backlog (index_name, document_id)
       SELECT index_name, document_id FROM search_documents WHERE index_name = $1 AND indexed_at >= $2
       ON CONFLICT (index_name, document_id) DO UPDATE SET enqueued_at = clock_timestamp()`,
      [index, since],
    );
  }

  /** The oldest backlog entries with the documents' current state; nothing is locked. */
  async oldestBacklog(limit: number): Promise<BacklogEntry[]> {
    const rows = (await this.transactions.manager.query(
      `SELECT b.index_name, b.document_id, b.enqueued_at::text AS enqueued_at, d.version, d.deleted, d.code, d.title, d.body,
              d.keywords, d.occurred_at
       FROM search_index_backlog b
       LEFT JOIN search_documents d USING (index_name, document_id)
       ORDER BY b.enqueued_at LIMIT $1`,
      [limit],
    )) as BacklogRow[];
    return rows.map((row) => {
      const base = { index: row.index_name, id: row.document_id, enqueuedAt: row.enqueued_at };
      if (row.version === null || row.deleted) {
        const version = row.version === null ? Number.MAX_SAFE_INTEGER : Number(row.version);
        return { ...base, removal: { index: row.index_name, id: row.document_id, version } };
      }
      return { ...base, document: toDocument(row.index_name, row) };
    });
  }

  /** Removes entries that were copied, unless they were re-queued since (then they go again). */
  async acknowledge(entries: BacklogEntry[]): Promise<void> {
    if (!entries.length) return;
    await this.transactions.manager.query(
      `DELETE FROM search_index_backlog b USING unnest($1::text[], $2::text[], $3::timestamptz[]) AS t(i, d, e)
       WHERE b.index_name = t.i AND b.document_id = t.d AND b.enqueued_at = t.e`,
      [entries.map((e) => e.index), entries.map((e) => e.id), entries.map((e) => e.enqueuedAt)],
    );
  }

  async backlogState(): Promise<{ documents: number; lagSeconds: number }> {
    const [row] = (await this.transactions.manager.query(
      `SELECT count(*)::int AS documents,
              coalesce(extract(epoch FROM clock_timestamp() - min(enqueued_at)), 0)::float8 AS lag
       FROM search_index_backlog`,
    )) as { documents: number; lag: number }[];
    return { documents: row.documents, lagSeconds: row.lag };
  }

  /** Live documents of an index in id order, for rebuilding Elasticsearch from the Postgres copy. */
  async *streamDocuments(index: SearchIndexName, batchSize: number): AsyncIterable<SearchDocument[]> {
    let after = '';
    for (;;) {
      const rows = (await this.transactions.manager.query(
        `SELECT document_id, version, code, title, body, keywords, occurred_at FROM search_documents
         WHERE index_name = $1 AND NOT deleted AND document_id > $2 ORDER BY document_id LIMIT $3`,
        [index, after, batchSize],
      )) as Omit<BacklogRow, 'index_name' | 'enqueued_at' | 'deleted'>[];
      if (!rows.length) return;
      after = rows[rows.length - 1].document_id;
      yield rows.map((row) => toDocument(index, row));
    }
  }

  async startReindexRun(index: SearchIndexName): Promise<ReindexRun> {
    const id = randomUUID();
    await this.transactions.manager.query(
      `INSERT INTO search_reindex_runs (id, index_name, status) VALUES ($1, $2, 'running')`,
      [id, index],
    );
    return (await this.findReindexRun(id)) as ReindexRun;
  }

  async runningReindex(index: SearchIndexName): Promise<ReindexRun | undefined> {
    const rows = (await this.transactions.manager.query(
      `SELECT * FROM search_reindex_runs WHERE index_name = $1 AND status = 'running' LIMIT 1`,
      [index],
    )) as Record<string, unknown>[];
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  async findReindexRun(id: string): Promise<ReindexRun | undefined> {
    const rows = (await this.transactions.manager.query(`SELECT * FROM search_reindex_runs WHERE id = $1`, [
      id,
    ])) as Record<string, unknown>[];
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  async recordProgress(id: string, processed: number): Promise<void> {
    await this.transactions.manager.query(`UPDATE search_reindex_runs SET processed = $2 WHERE id = $1`, [
      id,
      processed,
    ]);
  }

  async finishReindexRun(id: string, failure?: string): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE search_reindex_runs SET status = $2, finished_at = now(), failure = $3 WHERE id = $1`,
      [id, failure ? 'failed' : 'completed', failure ?? null],
    );
  }
}

function toRun(row: Record<string, unknown>): ReindexRun {
  return {
    id: row.id as string,
    index: row.index_name as SearchIndexName,
    status: row.status as ReindexRun['status'],
    processed: row.processed as number,
    startedAt: row.started_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? null,
    failure: (row.failure as string | null) ?? null,
  };
}
