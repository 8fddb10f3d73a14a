import { ValidationProblem } from '../../../src/common/problem';
import { BulkRecords, bulkRecordsOf } from '../../../src/modules/compliance/records/dto/bulk-records.batch';
import { validateBulkRecords } from '../../../src/modules/compliance/records/dto/bulk-records.validator';
import { CreateRecordDto } from '../../../src/modules/compliance/records/dto/create-record.dto';
import { aRecord } from '../../support/builders/compliance-record.builder';

/** The problem `work` throws (failing the test when it returns). */
function problemOf(work: () => unknown): ValidationProblem {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationProblem) return error;
    throw error;
  }
  throw new Error('no validation problem thrown');
}

/** 1,000 records, bad at 3 (score), 420 (status and an unknown field) and 999 (not an object). */
function bodyWithBadRecords(): { records: unknown[] } {
  const records: unknown[] = Array.from({ length: 1_000 }, () => aRecord());
  records[3] = aRecord({ score: 101 });
  records[420] = { ...aRecord({ status: 'done' }), colour: 'red' };
  records[999] = 'not a record';
  return { records };
}

describe('BulkRecords, validated chunk by chunk as the write takes them', () => {
  it('gives the records validateBulkRecords gives, whatever the chunks', () => {
    const body = { records: Array.from({ length: 700 }, (_, i) => aRecord({ score: i % 101 })) };
    const batch = bulkRecordsOf(structuredClone(body));
    const taken: CreateRecordDto[] = [];
    for (const [start, end] of [
      [0, 1],
      [1, 250],
      [250, 700],
    ]) {
      taken.push(...batch.take(start, end));
    }
    batch.finish();
    expect(taken).toEqual(validateBulkRecords(structuredClone(body)));
  });

  it('throws, at the chunk with the first bad record, the 400 validating the whole body gives', () => {
    const whole = problemOf(() => validateBulkRecords(bodyWithBadRecords()));
    expect(whole.errors.map((error) => error.field)).toEqual([
      'records.3.score',
      'records.420.colour',
      'records.420.status',
      'records.999',
    ]);
    const batch = bulkRecordsOf(bodyWithBadRecords());
    expect(batch.take(0, 3)).toHaveLength(3);
    const chunked = problemOf(() => batch.take(3, 100));
    expect(chunked.errors).toEqual(whole.errors);
    expect(chunked.message).toBe(whole.message);
  });

  it('names every bad record from finish after a write that stopped early, and nothing when all were good', () => {
    const batch = bulkRecordsOf(bodyWithBadRecords());
    batch.take(0, 2);
    expect(problemOf(() => batch.finish()).errors).toEqual(
      problemOf(() => validateBulkRecords(bodyWithBadRecords())).errors,
    );
    const good = bulkRecordsOf({ records: [aRecord(), aRecord()] });
    good.take(0, 1);
    expect(() => good.finish()).not.toThrow();
  });

  it('refuses chunks taken out of order', () => {
    const batch = bulkRecordsOf({ records: [aRecord(), aRecord()] });
    expect(() => batch.take(1, 2)).toThrow(/out of order/);
  });

  it('answers a bad envelope at once, naming the records too, as validating the whole body does', () => {
    const body = { records: [aRecord({ score: 101 })], extra: 1 };
    expect(problemOf(() => bulkRecordsOf(structuredClone(body))).errors).toEqual([
      { field: 'extra', messages: ['property extra should not exist'] },
      { field: 'records.0.score', messages: ['score must not be greater than 100'] },
    ]);
  });

  it('lists the distinct framework and control pairs as sent, skipping records where either is not a string', () => {
    const batch = bulkRecordsOf({
      records: [
        aRecord({ framework: 'GDPR', controlId: 'Art.25' }),
        aRecord({ framework: 'SOC2', controlId: 'CC6.1' }),
        aRecord({ framework: 'GDPR', controlId: 'Art.25' }),
        { ...aRecord(), framework: 7 },
        null,
        aRecord({ framework: 'made up', controlId: 'x' }),
      ],
    });
    expect(batch.sentRefs()).toEqual([
      { framework: 'GDPR', controlId: 'Art.25' },
      { framework: 'SOC2', controlId: 'CC6.1' },
      { framework: 'made up', controlId: 'x' },
    ]);
    expect(batch.sentRefAt(1)).toEqual({ framework: 'SOC2', controlId: 'CC6.1' });
    expect(batch.sentRefAt(3)).toBeUndefined();
    expect(batch.sentRefAt(4)).toBeUndefined();
  });

  it('takes records already valid as they are', () => {
    const records = [aRecord(), aRecord()] as unknown as CreateRecordDto[];
    const batch = BulkRecords.valid(records);
    expect(batch.take(0, 2)).toEqual(records);
    expect(() => batch.finish()).not.toThrow();
  });
});
