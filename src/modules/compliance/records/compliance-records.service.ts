import { Inject, Injectable } from '@nestjs/common';
import { ProblemException, ValidationProblem } from '../../../common/problem.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../../common/security-events.js';
import { uuidv7 } from '../../../common/uuidv7.js';
import { pipelined } from '../../../infrastructure/database/pipelined.js';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import { OutboxWriter } from '../../../infrastructure/outbox/outbox-writer.js';
import { auditDiff } from '../../audit/audit-diff.js';
import { UnreadableValue } from '../../encryption/encrypted-column.decorator.js';
import { AuditScope } from '../../audit/audit-scope.js';
import { CatalogsService, controlRefKey } from '../../catalogs/catalogs.service.js';
import { CachedRecordReader } from './cache/cached-record-reader.js';
import { cachedView, responseBody } from './cache/cached-view.js';
import { ComplianceRecordsRepository, UpdateOutcome } from './compliance-records.repository.js';
import { BulkRecordsResponse } from './dto/bulk-records.dto.js';
import type { RecordBatch, SentControlRef } from './dto/bulk-records.batch.js';
import type { CreateRecordDto } from './dto/create-record.dto.js';
import type { FrameworkView } from './dto/framework.response.js';
import type { ListRecordsQuery } from './dto/list-records.query.js';
import { RecordPage, RecordResponse, UNREADABLE_DETAIL, UnreadableRecordView } from './dto/record.response.js';
import type { UpdateRecordDto } from './dto/update-record.dto.js';
import type { ComplianceRecord } from './entities/compliance-record.entity.js';
import { decodeCursor, encodeCursor } from './record-cursor.js';
import {
  RECORD_CREATED,
  RECORD_DELETED,
  RECORD_UPDATED,
  recordEventPayload,
  type RecordSnapshot,
} from './record-events.js';

const AUDITED_FIELDS = [
  'entityId',
  'framework',
  'controlId',
  'status',
  'score',
  'details',
  'assessedAt',
  'evidenceNotes',
] as const;

function auditedState(record: RecordResponse | null): Record<string, unknown> | null {
  return record && Object.fromEntries(AUDITED_FIELDS.map((field) => [field, record[field]]));
}

/** Record use cases. Every write goes to Postgres with its outbox rows in the request transaction. */
@Injectable()
export class ComplianceRecordsService {
  constructor(
    private readonly records: ComplianceRecordsRepository,
    private readonly outbox: OutboxWriter,
    private readonly reader: CachedRecordReader,
    private readonly transactions: TransactionContext,
    private readonly audit: AuditScope,
    private readonly catalogs: CatalogsService,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
  ) {}

  async create(input: CreateRecordDto): Promise<RecordResponse> {
    await this.requireKnownFrameworks([input.framework], () => ['framework']);
    await this.requireKnownControls([input], () => ['controlId']);
    const id = uuidv7();
    await this.records.insert(this.toRow(id, input));
    const record = RecordResponse.of(await this.load(id));
    await this.outbox.append(RECORD_CREATED, id, recordEventPayload(record, true));
    this.describeChange(id, null, record);
    return (await this.withControlTitles([record]))[0];
  }

  /**
   * All or nothing. The framework and control checks are the transaction's first statement (on the
   * values as sent), and each chunk is validated as it is made into rows, so Postgres runs the
   * checks and the first COPYs while Node validates the later records. A bad record stops the
   * COPYs and answers the 400 naming every bad field, as validating first did; it takes precedence
   * over a failed catalog check, which is only answered when every record is valid.
   */
  async createMany(batch: RecordBatch): Promise<BulkRecordsResponse> {
    const now = new Date();
    const rows: ComplianceRecord[] = [];
    try {
      const refs = batch.sentRefs();
      const frameworks = [...new Set(refs.map((ref) => ref.framework))];
      await pipelined([
        () => () =>
          this.requireKnownFrameworks(frameworks, (unknown) =>
            sentFields(batch, 'framework', (ref) => unknown.has(ref.framework)),
          ),
        () => () =>
          this.requireKnownControls(refs, (unknown) => sentFields(batch, 'controlId', (ref) => unknown.has(ref))),
        ...this.records.insertChunks(batch.length, (start, end) => {
          const chunk = batch.take(start, end).map((input) => this.toRow(uuidv7(), input, now));
          rows.push(...chunk);
          return chunk;
        }),
        () =>
          this.outbox.prepareMany(
            RECORD_CREATED,
            rows.map((row) => ({ aggregateId: row.id, payload: recordEventPayload(createdSnapshot(row), true) })),
          ),
      ]);
    } catch (error) {
      batch.finish();
      throw error;
    }
    this.audit.describe({ resourceType: 'compliance_record', details: { created: rows.length } });
    return { created: rows.length, ids: rows.map((row) => row.id) };
  }

  async frameworks(): Promise<FrameworkView[]> {
    return (await this.records.frameworks()).map(({ code, name }) => ({ code, name }));
  }

  /** The record's response body as served (from the cache when warm) and its version, for the ETag. */
  async get(id: string): Promise<{ version: number; body: string }> {
    const view = await this.reader.read(id, async (generation) => {
      const found = await this.records.findById(id);
      if (found && (await this.reportUnreadable(found))) {
        throw new ProblemException(422, 'record-unreadable', UNREADABLE_DETAIL);
      }
      if (!found) return undefined;
      const [titled] = await this.withControlTitles([RecordResponse.of(found)]);
      return cachedView(titled, generation);
    });
    if (!view) throw notFound();
    return { version: view.version, body: responseBody(view) };
  }

  async list(query: ListRecordsQuery): Promise<RecordPage> {
    if (query.minScore !== undefined && query.maxScore !== undefined && query.minScore > query.maxScore) {
      throw new ValidationProblem([{ field: 'minScore', messages: ['minScore must not exceed maxScore'] }]);
    }
    const after = query.cursor ? decodeCursor(query.cursor, query.sort, query.order) : undefined;
    const rows = await this.records.list(query, after);
    const last = rows.at(-1);
    const items: (RecordResponse | UnreadableRecordView)[] = [];
    for (const { record } of rows) items.push((await this.reportUnreadable(record)) ?? RecordResponse.of(record));
    return {
      items: await this.withControlTitles(items),
      nextCursor:
        last && rows.length === query.limit
          ? encodeCursor({ sort: query.sort, order: query.order, value: last.cursorValue, id: last.record.id })
          : null,
    };
  }

  async update(id: string, expectedVersion: number, changes: UpdateRecordDto): Promise<RecordResponse> {
    const { version: _ignored, ...fields } = changes;
    if (fields.framework) await this.requireKnownFrameworks([fields.framework], () => ['framework']);
    const before = await this.records.findById(id);
    if (!before) throw notFound();
    if (fields.framework || fields.controlId) {
      const framework = fields.framework ?? before.framework;
      await this.requireKnownControls([{ framework, controlId: fields.controlId ?? before.controlId }], () => [
        'controlId',
      ]);
    }
    this.check(await this.records.update(id, expectedVersion, fields));
    const record = RecordResponse.of(await this.load(id));
    const assessmentChanged =
      record.status !== before.status ||
      record.score !== before.score ||
      record.assessedAt !== before.assessedAt.toISOString();
    await this.outbox.append(RECORD_UPDATED, id, recordEventPayload(record, assessmentChanged));
    await this.invalidateAfterCommit(id, record.version);
    this.describeChange(id, RecordResponse.of(before), record);
    return (await this.withControlTitles([record]))[0];
  }

  async remove(id: string, expectedVersion?: number): Promise<void> {
    const { outcome, version } = await this.records.softDelete(id, expectedVersion);
    this.check(outcome);
    await this.outbox.append(RECORD_DELETED, id, { version, assessmentChanged: false });
    await this.invalidateAfterCommit(id, version as number);
    this.audit.describe({ resourceType: 'compliance_record', resourceId: id, details: { version } });
  }

  /** Tells the audit trail what changed; evidence notes only encrypted. */
  private describeChange(id: string, before: RecordResponse | null, after: RecordResponse): void {
    this.audit.describe({
      resourceType: 'compliance_record',
      resourceId: id,
      ...auditDiff(auditedState(before), auditedState(after), { encrypted: ['evidenceNotes'] }),
    });
  }

  /** A security event and a per-record problem for notes that cannot be decrypted. */
  private async reportUnreadable(record: ComplianceRecord): Promise<UnreadableRecordView | undefined> {
    if (!(record.evidenceNotes instanceof UnreadableValue)) return undefined;
    const { reason, keyId } = record.evidenceNotes.error;
    await this.securityEvents.record({
      action: 'encryption.tampered',
      severity: 'critical',
      outcome: 'failure',
      resourceType: 'compliance_records',
      resourceId: record.id,
      details: { fields: [{ field: 'evidenceNotes', reason, keyId }] },
    });
    return { id: record.id, problem: { type: '/problems/record-unreadable', status: 422, detail: UNREADABLE_DETAIL } };
  }

  /**
   * Copies of the views with their control's title, in one query for any number. The record cache
   * stores titled views under the control graph's generation, so a catalog change misses them.
   */
  private async withControlTitles<T extends RecordResponse | UnreadableRecordView>(views: T[]): Promise<T[]> {
    const records = views.filter((view): view is T & RecordResponse => 'controlId' in view);
    if (!records.length) return views;
    const resolved = await this.catalogs.resolveControls(records);
    return views.map((view) =>
      'controlId' in view ? { ...view, controlTitle: resolved.get(controlRefKey(view))?.control?.title ?? null } : view,
    );
  }

  private invalidateAfterCommit(id: string, version: number): Promise<void> {
    return this.transactions.afterCommit(() => this.reader.invalidate(id, version));
  }

  private async load(id: string): Promise<ComplianceRecord> {
    const record = await this.records.findById(id);
    if (!record) throw notFound();
    return record;
  }

  private check(outcome: UpdateOutcome): void {
    if (outcome === 'missing') throw notFound();
    if (outcome === 'conflict') {
      throw new ProblemException(
        409,
        'version-conflict',
        'The record was changed by someone else; reload it and retry.',
      );
    }
  }

  /** `fieldsNaming` names the inputs whose framework is one of the unknown codes. */
  private async requireKnownFrameworks(
    codes: string[],
    fieldsNaming: (unknown: Set<string>) => string[],
  ): Promise<void> {
    const unknown = new Set(await this.records.unknownFrameworks(codes));
    if (!unknown.size) return;
    const fields = fieldsNaming(unknown).slice(0, 50);
    const errors = fields.map((field) => ({ field, messages: ['framework is not a known framework code'] }));
    throw new ValidationProblem(errors, `Unknown framework at ${fields.join(', ')}.`);
  }

  /**
   * When a record's framework has a catalog, its control id must be one of the catalog's controls.
   * `fieldsNaming` names the inputs whose ref is one of the unknown ones.
   */
  private async requireKnownControls(
    refs: SentControlRef[],
    fieldsNaming: (unknown: { has(ref: SentControlRef): boolean }) => string[],
  ): Promise<void> {
    const unknown = await this.catalogs.unknownControls(refs);
    if (!unknown.length) return;
    const missing = new Set(unknown.map(controlRefKey));
    const fields = fieldsNaming({ has: (ref) => missing.has(controlRefKey(ref)) }).slice(0, 50);
    const errors = fields.map((field) => ({
      field,
      messages: [`controlId is not a control of this framework's catalog (GET /catalogs/{framework} lists them)`],
    }));
    throw new ValidationProblem(errors, `Unknown control at ${fields.join(', ')}.`);
  }

  private toRow(id: string, input: CreateRecordDto, now = new Date()): ComplianceRecord {
    return {
      id,
      entityId: input.entityId,
      framework: input.framework,
      controlId: input.controlId,
      status: input.status,
      score: input.score,
      details: input.details ?? {},
      evidenceNotes: input.evidenceNotes ?? null,
      assessedAt: input.assessedAt ?? now,
    } as ComplianceRecord;
  }
}

/** A new record as its created event carries it, straight from the row: version 1, dates as the API shows them. */
function createdSnapshot(row: ComplianceRecord): RecordSnapshot {
  const { id, entityId, framework, controlId, status, score, details } = row;
  return {
    id,
    entityId,
    framework,
    controlId,
    status,
    score,
    details,
    assessedAt: row.assessedAt.toISOString(),
    version: 1,
  };
}

/** `records.<index>.<field>` of the first 50 records whose ref as sent `matches`. */
function sentFields(batch: RecordBatch, field: string, matches: (ref: SentControlRef) => boolean): string[] {
  const fields: string[] = [];
  for (let index = 0; index < batch.length && fields.length < 50; index++) {
    const ref = batch.sentRefAt(index);
    if (ref && matches(ref)) fields.push(`records.${index}.${field}`);
  }
  return fields;
}

function notFound(): ProblemException {
  return new ProblemException(404, 'not-found', 'No compliance record with this id.');
}
