import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import type { RecordStatus } from '../records/record-status.js';
import type { AssessedRecord } from './oscal-assessment-results.js';
import { QueryOwner } from '../../../infrastructure/database/query-owner.js';

export interface AssessedRecordFilter {
  framework: string;
  entityId?: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** The records an assessment-results export is built from: classification facts only, never notes or details. */
@QueryOwner()
@Injectable()
export class AssessmentResultsRepository {
  constructor(private readonly transactions: TransactionContext) {}

  private query<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    return this.transactions.manager.query(sql, parameters) as Promise<T[]>;
  }

  /** The framework's name, or undefined when no framework has this code. */
  async frameworkName(code: string): Promise<string | undefined> {
    const rows = await this.query<{ name: string }>(`SELECT name FROM compliance_frameworks WHERE code = $1`, [code]);
    return rows[0]?.name;
  }

  /**
   * Live records matching the filter, at most `limit` of them in no particular order (the caller
   * asks for one more than it takes, to tell a full answer from a cut one without sorting them all).
   */
  async records(filter: AssessedRecordFilter, limit: number): Promise<AssessedRecord[]> {
    const rows = await this.query<{
      id: string;
      entity_id: string;
      control_id: string;
      status: RecordStatus;
      score: string;
      assessed_at: Date;
      version: number;
    }>(
      `SELECT id, entity_id, control_id, status, score, assessed_at, version
         FROM compliance_records
        WHERE framework = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR entity_id = $2)
          AND assessed_at >= $3 AND assessed_at < $4
        LIMIT $5`,
      [filter.framework, filter.entityId ?? null, filter.from, filter.to, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      entityId: row.entity_id,
      controlId: row.control_id,
      status: row.status,
      score: Number(row.score),
      assessedAt: row.assessed_at,
      version: row.version,
    }));
  }
}
