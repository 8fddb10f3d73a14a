import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/problem.js';
import {
  decodeCursorJson,
  encodeCursorJson,
  isIntegerWithin,
  parsePostgresTimestamp,
  SAFE_BIGINT,
  SMALLINT,
} from '../../common/scalars.js';
import { ReplicaRouter } from '../../infrastructure/database/replica-router.js';
import { AuditFilter, AuditRepository, StoredEvent, TimeKey } from './audit.repository.js';
import { AuditSealer } from './audit-sealer.js';
import { AuditEventDto } from './dto/audit-event.dto.js';

/** Rows fetched per round trip while exporting; memory stays bounded by this, not by the range. */
export const EXPORT_BATCH = 1_000;

const CSV_COLUMNS: (keyof AuditEventDto)[] = [
  'occurredAt',
  'id',
  'actorId',
  'action',
  'resourceType',
  'resourceId',
  'outcome',
  'severity',
  'requestId',
  'ip',
  'userAgent',
  'details',
  'sensitive',
  'shard',
  'seq',
  'hash',
  // Last: columns added later go at the end, so readers by position keep working.
  'traceId',
];

/** Searching and exporting the trail (from a replica when one fits), newest first for pages, oldest first for exports. */
@Injectable()
export class AuditReader {
  constructor(
    private readonly repository: AuditRepository,
    private readonly sealer: AuditSealer,
    private readonly replicas: ReplicaRouter,
  ) {}

  async list(filter: AuditFilter, limit: number, cursor?: string) {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const events = await this.repository.page(filter, 'desc', limit + 1, after, await this.replicas.reader());
    const items = events.slice(0, limit);
    const nextCursor = events.length > limit ? encodeCursor(items[items.length - 1].key) : null;
    return { items: await Promise.all(items.map((event) => this.dto(event))), nextCursor };
  }

  /** A stream that fetches the next keyset batch only when the consumer has read the last one. */
  export(filter: AuditFilter, format: 'ndjson' | 'csv'): Readable {
    const repository = this.repository;
    const dto = (event: StoredEvent) => this.dto(event);
    // Chosen now, in the request: the stream is read later, outside the caller's context.
    const reading = this.replicas.reader();
    reading.catch(() => undefined);
    async function* lines(): AsyncGenerator<string> {
      const manager = await reading;
      if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\n`;
      let after: TimeKey | undefined;
      for (;;) {
        const batch: StoredEvent[] = await repository.page(filter, 'asc', EXPORT_BATCH, after, manager);
        if (!batch.length) return;
        const events = await Promise.all(batch.map(dto));
        yield events.map((event) => render(event, format)).join('');
        if (batch.length < EXPORT_BATCH) return;
        after = batch[batch.length - 1].key;
      }
    }
    return Readable.from(lines(), { objectMode: false, highWaterMark: 1 });
  }

  /** Every event a subject is the actor or the resource of, oldest first, a batch at a time. */
  async *involving(subjectId: string): AsyncGenerator<AuditEventDto[]> {
    const manager = await this.replicas.reader();
    let after: TimeKey | undefined;
    for (;;) {
      const batch = await this.repository.page({ involving: subjectId }, 'asc', EXPORT_BATCH, after, manager);
      if (!batch.length) return;
      yield await Promise.all(batch.map((event) => this.dto(event)));
      if (batch.length < EXPORT_BATCH) return;
      after = batch[batch.length - 1].key;
    }
  }

  private async dto(event: StoredEvent): Promise<AuditEventDto> {
    return AuditEventDto.from(event, await this.sealer.open(event));
  }
}

function render(event: AuditEventDto, format: 'ndjson' | 'csv'): string {
  if (format === 'ndjson') return `${JSON.stringify(event)}\n`;
  return `${CSV_COLUMNS.map((column) => csvField(event[column])).join(',')}\n`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // A leading = + - @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function encodeCursor(key: TimeKey): string {
  return encodeCursorJson(key);
}

const SHARDS = { min: 0, max: SMALLINT.max } as const;
const SEQS = { min: 0, max: SAFE_BIGINT.max } as const;

/**
 * A cursor is input: each field is parsed like a query value (`scalars.ts`), so one that decodes
 * but holds an impossible time (`2026-13-45 99:99:99+00`), a shard beyond smallint or a seq beyond
 * what a JS number holds exactly is a 400, not a database error.
 */
export function decodeCursor(cursor: string): TimeKey {
  const key = decodeCursorJson(cursor, 500) as Partial<TimeKey> | null | undefined;
  if (
    typeof key === 'object' &&
    key !== null &&
    parsePostgresTimestamp(key.at) !== undefined &&
    isIntegerWithin(key.shard, SHARDS) &&
    isIntegerWithin(key.seq, SEQS)
  ) {
    return { at: key.at as string, shard: key.shard, seq: key.seq };
  }
  throw new ProblemException(400, 'invalid-cursor', 'The cursor is not one this API issued.');
}
