import { Injectable, PipeTransform } from '@nestjs/common';
import type { FieldError } from '../../../../common/problem.js';
import { validationProblem } from '../../../../common/validation.js';
import { checkItems, envelopeOf, envelopeProblem } from './bulk-records.validator.js';
import type { CreateRecordDto } from './create-record.dto.js';

/** A record's framework and control id as sent. */
export interface SentControlRef {
  framework: string;
  controlId: string;
}

/** The records of one bulk write (`BulkRecords`); an interface, so the global ValidationPipe leaves the parameter alone. */
export interface RecordBatch {
  readonly length: number;
  sentRefs(): SentControlRef[];
  sentRefAt(index: number): SentControlRef | undefined;
  take(start: number, end: number): CreateRecordDto[];
  finish(): void;
}

/**
 * The records of a bulk write, taken in order a chunk at a time (`take`), so the write can start
 * before the last record is validated. A chunk with a bad record makes `take` validate the rest
 * and throw the 400 naming every bad field, the same as validating the whole body first; `finish`
 * does the same after a write that failed for another reason, so a bad record still wins.
 */
export class BulkRecords implements RecordBatch {
  private readonly errors: FieldError[] = [];
  private checked = 0;

  private constructor(
    private readonly records: readonly unknown[],
    private readonly trusted: boolean,
  ) {}

  /** Records already valid (the demo seed's): taken as they are. */
  static valid(records: CreateRecordDto[]): BulkRecords {
    return new BulkRecords(records, true);
  }

  /** The records of a body whose envelope passed (1 to MAX_BULK_RECORDS objects or not). */
  static sent(records: unknown[]): BulkRecords {
    return new BulkRecords(records, false);
  }

  get length(): number {
    return this.records.length;
  }

  /**
   * The distinct framework and control id pairs the records name, where both are strings: what
   * the catalog checks look up before validation ends. Their answer only counts when every record
   * is valid; the body parser already refused text Postgres cannot hold (NUL, lone surrogates).
   * One pass without a key per record: a call has 10,000 records and a few dozen pairs.
   */
  sentRefs(): SentControlRef[] {
    const byFramework = new Map<string, Set<string>>();
    for (let index = 0; index < this.records.length; index++) {
      const ref = this.sentRefAt(index);
      if (!ref) continue;
      let controls = byFramework.get(ref.framework);
      if (!controls) byFramework.set(ref.framework, (controls = new Set()));
      controls.add(ref.controlId);
    }
    return [...byFramework].flatMap(([framework, controls]) =>
      [...controls].map((controlId) => ({ framework, controlId })),
    );
  }

  /** Record `index`'s framework and control id as sent, when both are strings. */
  sentRefAt(index: number): SentControlRef | undefined {
    const { framework, controlId } = (this.records[index] ?? {}) as Record<string, unknown>;
    return typeof framework === 'string' && typeof controlId === 'string' ? { framework, controlId } : undefined;
  }

  /** Records `start` to `end`, validated; `start` is where the previous call ended. */
  take(start: number, end: number): CreateRecordDto[] {
    if (this.trusted) return this.records.slice(start, end) as CreateRecordDto[];
    if (start !== this.checked) throw new Error(`bulk records taken out of order: ${start}, not ${this.checked}`);
    const valid: CreateRecordDto[] = [];
    checkItems(this.records as unknown[], start, end, this.errors, valid);
    this.checked = end;
    if (this.errors.length) this.finish();
    return valid;
  }

  /** Validates the records not taken yet; throws the 400 naming every bad field if any was bad. */
  finish(): void {
    if (this.trusted) return;
    checkItems(this.records as unknown[], this.checked, this.records.length, this.errors, []);
    this.checked = this.records.length;
    if (this.errors.length) throw validationProblem(this.errors);
  }
}

/** The records of a bulk body whose envelope is valid, not validated yet; a 400 for a bad envelope. */
export function bulkRecordsOf(body: unknown): RecordBatch {
  const { errors, records } = envelopeOf(body);
  if (errors.length) throw envelopeProblem(errors, records);
  return BulkRecords.sent(records as unknown[]);
}

/** `@Body(BulkRecordsPipe)`: the bulk body's records, validated as the write takes them (`BulkRecords`). */
@Injectable()
export class BulkRecordsPipe implements PipeTransform<unknown, RecordBatch> {
  transform(body: unknown): RecordBatch {
    return bulkRecordsOf(body);
  }
}
