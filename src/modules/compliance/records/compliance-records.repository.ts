import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { encodeCopyRows, sendCopyRows } from '../../../infrastructure/database/copy-rows.js';
import type { PipelineStep } from '../../../infrastructure/database/pipelined.js';
import { ReplicaRouter } from '../../../infrastructure/database/replica-router.js';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import { columnBatchSealer, columnSealer } from '../../encryption/encrypted-column.decorator.js';
import type { ListRecordsQuery, SortField } from './dto/list-records.query.js';
import { ComplianceFramework } from './entities/compliance-framework.entity.js';
import { ComplianceRecord } from './entities/compliance-record.entity.js';
import type { RecordCursor } from './record-cursor.js';
import { QueryOwner } from '../../../infrastructure/database/query-owner.js';

const SORT_COLUMNS: Record<SortField, string> = {
  assessedAt: 'record.assessed_at',
  createdAt: 'record.created_at',
  score: 'record.score',
};
const SORT_CASTS: Record<SortField, string> = { assessedAt: 'timestamptz', createdAt: 'timestamptz', score: 'numeric' };

export type UpdateOutcome = 'updated' | 'conflict' | 'missing';

/** Rows per bulk COPY at most: small enough to pipeline, large enough to amortize a statement. */
const INSERT_CHUNK_ROWS = 2_000;
/** Rows of the first COPY: Postgres waits for Node to validate, seal and encode them. */
const FIRST_CHUNK_ROWS = 250;
/**
 * Each COPY is this much larger than the one before, up to INSERT_CHUNK_ROWS: Node makes a chunk
 * in a half to two thirds of the time Postgres takes to copy one as large (measured), so a chunk this much larger
 * is ready when the COPY before it ends.
 */
const CHUNK_GROWTH = 1.5;
const COPIED_COLUMNS = [
  'id',
  'entity_id',
  'framework',
  'control_id',
  'status',
  'score',
  'details',
  'evidence_notes',
  'assessed_at',
] as const;

/** Evidence notes as stored, bound to their record's id (resolved on first use: the cipher is set at boot). */
let sealNotes: ReturnType<typeof columnSealer> | undefined;
const sealedNotes = (notes: string | null | undefined, id: string) =>
  (sealNotes ??= columnSealer(ComplianceRecord, 'evidenceNotes'))(notes, id);
let sealNotesBatch: ReturnType<typeof columnBatchSealer> | undefined;

/** Compliance records in Postgres, through the request's transaction; lists from a replica when one fits. */
@QueryOwner()
@Injectable()
export class ComplianceRecordsRepository {
  constructor(
    private readonly transactions: TransactionContext,
    private readonly replicas: ReplicaRouter,
  ) {}

  private get records() {
    return this.transactions.manager.getRepository(ComplianceRecord);
  }

  /** Every framework, in code order. */
  frameworks(): Promise<ComplianceFramework[]> {
    return this.transactions.manager.getRepository(ComplianceFramework).find({ order: { code: 'ASC' } });
  }

  /** Framework code → full name, for search documents. */
  async frameworkNames(): Promise<Map<string, string>> {
    const rows = await this.transactions.manager.getRepository(ComplianceFramework).find();
    return new Map(rows.map((row) => [row.code, row.name]));
  }

  /** Live (not deleted) records after `after` in id order, of one framework when given: keyset pages. */
  liveAfter(after: string | undefined, limit: number, framework?: string): Promise<ComplianceRecord[]> {
    const query = this.records.createQueryBuilder('record').orderBy('record.id', 'ASC').limit(limit);
    if (after) query.andWhere('record.id > :after', { after });
    if (framework) query.andWhere('record.framework = :framework', { framework });
    return query.getMany();
  }

  /** Which of these framework codes are not in the frameworks table. */
  async unknownFrameworks(codes: string[]): Promise<string[]> {
    const distinct = [...new Set(codes)];
    const known = await this.transactions.manager
      .getRepository(ComplianceFramework)
      .createQueryBuilder('framework')
      .select('framework.code', 'code')
      .where('framework.code = ANY(:codes)', { codes: distinct })
      .getRawMany<{ code: string }>();
    const found = new Set(known.map((row) => row.code));
    return distinct.filter((code) => !found.has(code));
  }

  async insert(row: Partial<ComplianceRecord>): Promise<void> {
    await this.records
      .createQueryBuilder()
      .insert()
      .into(ComplianceRecord)
      .values(row as QueryDeepPartialEntity<ComplianceRecord>)
      .updateEntity(false)
      .execute();
  }

  /**
   * Bulk ingest of `count` rows as one `COPY` per chunk, to be run with `pipelined`: while Postgres
   * copies one chunk, Node makes (`rowsOf(start, end)`, called in order: the caller validates
   * there), encrypts and encodes the next. The first chunk is small, so Postgres starts copying
   * sooner, and the chunks grow so that each is ready when the COPY before it ends. `COPY` parses its text
   * format faster than Postgres expands the same rows from JSON (a fifth less time per chunk).
   * `created_at` and `updated_at` are left to their default, the transaction's start.
   */
  insertChunks(count: number, rowsOf: (start: number, end: number) => ComplianceRecord[]): PipelineStep[] {
    const steps: PipelineStep[] = [];
    for (
      let start = 0, size = FIRST_CHUNK_ROWS;
      start < count;
      size = Math.min(INSERT_CHUNK_ROWS, Math.round(size * CHUNK_GROWTH))
    ) {
      const end = Math.min(count, start + size);
      const from = start;
      steps.push(() => {
        const encoded = this.encodeChunk(rowsOf(from, end));
        return () => sendCopyRows(this.transactions.manager, 'compliance_records', COPIED_COLUMNS, encoded);
      });
      start = end;
    }
    return steps;
  }

  private encodeChunk(rows: ComplianceRecord[]): string {
    const notes = this.storedNotes(rows);
    return encodeCopyRows(
      rows.map((row, index) => [
        row.id,
        row.entityId,
        row.framework,
        row.controlId,
        row.status,
        row.score,
        JSON.stringify(row.details),
        notes[index],
        row.assessedAt.toISOString(),
      ]),
    );
  }

  /** Evidence notes as stored: sealed for their row by the encryption module, the same as an entity write. */
  private storedNotes(rows: ComplianceRecord[]): (string | null)[] {
    sealNotesBatch ??= columnBatchSealer(ComplianceRecord, 'evidenceNotes');
    return sealNotesBatch(
      rows.map((row) => (row.evidenceNotes as string | null) ?? null),
      rows.map((row) => row.id),
    );
  }

  findById(id: string): Promise<ComplianceRecord | null> {
    return this.records.findOne({ where: { id } });
  }

  /**
   * Applies `changes` only if the record is still at `expectedVersion` (optimistic locking). The
   * update is keyed by a where clause, not an entity, so new notes are sealed for the row here.
   */
  async update(id: string, expectedVersion: number, changes: Partial<ComplianceRecord>): Promise<UpdateOutcome> {
    const { evidenceNotes, ...plain } = changes;
    const notes = typeof evidenceNotes === 'string' ? sealedNotes(evidenceNotes, id) : evidenceNotes;
    const result = await this.records
      .createQueryBuilder()
      .update(ComplianceRecord)
      .set({
        ...plain,
        ...(notes === undefined ? {} : { evidenceNotes: notes }),
        version: () => 'version + 1',
        updatedAt: () => 'now()',
      } as QueryDeepPartialEntity<ComplianceRecord>)
      .where('id = :id AND version = :expectedVersion AND deleted_at IS NULL', { id, expectedVersion })
      .execute();
    if (result.affected) return 'updated';
    return (await this.findById(id)) ? 'conflict' : 'missing';
  }

  /** Soft delete; `version` is the deleted row's new version. */
  async softDelete(id: string, expectedVersion?: number): Promise<{ outcome: UpdateOutcome; version?: number }> {
    const result = await this.records
      .createQueryBuilder()
      .update(ComplianceRecord)
      .set({ deletedAt: () => 'now()', version: () => 'version + 1', updatedAt: () => 'now()' })
      .where('id = :id AND deleted_at IS NULL', { id })
      .andWhere(expectedVersion === undefined ? 'TRUE' : 'version = :expectedVersion', { expectedVersion })
      .returning(['version'])
      .execute();
    const [row] = result.raw as { version: number }[];
    if (row) return { outcome: 'updated', version: row.version };
    return { outcome: (await this.findById(id)) ? 'conflict' : 'missing' };
  }

  /** One page in keyset order; `cursorValue` of each row is its sort key as Postgres text. */
  async list(
    query: ListRecordsQuery,
    after: RecordCursor | undefined,
  ): Promise<{ record: ComplianceRecord; cursorValue: string }[]> {
    const column = SORT_COLUMNS[query.sort];
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    // Lists tolerate replica lag; the caller's own writes are still seen (ReplicaRouter).
    const builder = (await this.replicas.reader())
      .getRepository(ComplianceRecord)
      .createQueryBuilder('record')
      .addSelect(`${column}::text`, 'cursor_value')
      .orderBy(column, direction)
      .addOrderBy('record.id', direction)
      .limit(query.limit);
    if (query.entityId) builder.andWhere('record.entity_id = :entityId', { entityId: query.entityId });
    if (query.framework) builder.andWhere('record.framework = :framework', { framework: query.framework });
    if (query.status) builder.andWhere('record.status = :status', { status: query.status });
    if (query.minScore !== undefined) builder.andWhere('record.score >= :minScore', { minScore: query.minScore });
    if (query.maxScore !== undefined) builder.andWhere('record.score <= :maxScore', { maxScore: query.maxScore });
    if (query.assessedFrom) builder.andWhere('record.assessed_at >= :from', { from: query.assessedFrom });
    if (query.assessedTo) builder.andWhere('record.assessed_at < :to', { to: query.assessedTo });
    if (after) {
      const operator = query.order === 'asc' ? '>' : '<';
      builder.andWhere(
        `(${column}, record.id) ${operator} (CAST(:afterValue AS ${SORT_CASTS[query.sort]}), :afterId)`,
        {
          afterValue: after.value,
          afterId: after.id,
        },
      );
    }
    const { entities, raw } = await builder.getRawAndEntities<{ cursor_value: string }>();
    return entities.map((record, index) => ({ record, cursorValue: raw[index].cursor_value }));
  }
}
