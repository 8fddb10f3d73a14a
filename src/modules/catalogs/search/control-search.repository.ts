import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import type { ControlFacts } from '../../../infrastructure/search/search-documents.js';
import { QueryOwner } from '../../../infrastructure/database/query-owner.js';

interface ControlRow {
  id: string;
  framework: string;
  control_id: string;
  label: string | null;
  group_id: string | null;
  title: string;
  statement: string | null;
  guidance: string | null;
  updated_at: Date;
}

const COLUMNS = 'id, framework, control_id, label, group_id, title, statement, guidance, updated_at';

const toFacts = (row: ControlRow, version: number): ControlFacts => ({
  framework: row.framework,
  controlId: row.control_id,
  label: row.label,
  groupId: row.group_id,
  title: row.title,
  statement: row.statement,
  guidance: row.guidance,
  version,
  updatedAt: row.updated_at,
});

/** The controls as the `controls` search index reads them, through the current transaction. */
@QueryOwner()
@Injectable()
export class ControlSearchRepository {
  constructor(private readonly transactions: TransactionContext) {}

  private query<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.transactions.manager.query(sql, parameters) as Promise<T[]>;
  }

  /** Serialises re-indexing one framework's controls until the caller's transaction ends. */
  async lockFramework(framework: string): Promise<void> {
    await this.query(`SELECT pg_advisory_xact_lock(hashtextextended('control_search:' || $1, 0))`, [framework]);
  }

  /**
   * The database clock in microseconds, read in a statement of its own so that every catalog change
   * a later read misses commits after it: the version of the documents that read builds.
   */
  async clockVersion(): Promise<number> {
    const [row] = await this.query<{ version: string }>(
      `SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS version`,
    );
    return Number(row.version);
  }

  /** Every control of one framework's catalog, in one statement (a consistent set to replace the indexed one). */
  async controlsOf(framework: string, version: number): Promise<ControlFacts[]> {
    const rows = await this.query<ControlRow>(
      `SELECT ${COLUMNS} FROM controls WHERE framework = $1 ORDER BY sort_order`,
      [framework],
    );
    return rows.map((row) => toFacts(row, version));
  }

  /** Controls of every catalog after row `after`, in row order: keyset pages for reindex. */
  async controlsAfter(
    after: string,
    limit: number,
    version: number,
  ): Promise<{ last?: string; controls: ControlFacts[] }> {
    const rows = await this.query<ControlRow>(`SELECT ${COLUMNS} FROM controls WHERE id > $1 ORDER BY id LIMIT $2`, [
      after,
      limit,
    ]);
    return { last: rows.at(-1)?.id, controls: rows.map((row) => toFacts(row, version)) };
  }
}
