import { ArgumentMetadata } from '@nestjs/common';
import { ValidationProblem } from '../../../src/common/problem';
import { seededRandom } from '../../../src/common/seeded-random';
import { createValidationPipe } from '../../../src/common/validation';
import { validateBulkRecords } from '../../../src/modules/compliance/records/dto/bulk-records.validator';
import { CreateRecordDto } from '../../../src/modules/compliance/records/dto/create-record.dto';
import { aRecord } from '../../support/builders/compliance-record.builder';

type Body = Record<string, unknown>;

/** What the single-record route (global ValidationPipe + CreateRecordDto) answers for a body. */
async function byClassValidator(body: unknown): Promise<{ errors?: unknown; value?: unknown }> {
  const metadata: ArgumentMetadata = { type: 'body', metatype: CreateRecordDto };
  try {
    return { value: await createValidationPipe().transform(structuredClone(body), metadata) };
  } catch (error) {
    if (!(error instanceof ValidationProblem)) throw error;
    return { errors: error.errors };
  }
}

function byBulkValidator(body: unknown): { errors?: unknown; value?: unknown; detail?: string } {
  try {
    return { value: validateBulkRecords(structuredClone(body)) };
  } catch (error) {
    if (!(error instanceof ValidationProblem)) throw error;
    return { errors: error.errors, detail: error.message };
  }
}

const fieldsOf = (result: { errors?: unknown }) => (result.errors as { field: string }[]).map((error) => error.field);

const surrogatePairs = (count: number) => '\u{1F600}'.repeat(count);
const BAD_RECORDS: [string, Body][] = [
  [
    'every required field missing',
    { entityId: undefined, framework: undefined, controlId: undefined, status: undefined, score: undefined },
  ],
  ['entityId missing', { entityId: undefined }],
  ['entityId null', { entityId: null }],
  ['entityId empty', { entityId: '' }],
  ['entityId a number', { entityId: 5 }],
  ['entityId zero', { entityId: 0 }],
  ['entityId true', { entityId: true }],
  ['entityId an array', { entityId: ['a'] }],
  ['entityId an array as long as the limit', { entityId: Array.from({ length: 128 }, () => 'a') }],
  ['entityId an array longer than the limit', { entityId: Array.from({ length: 129 }, () => 'a') }],
  ['entityId an object with a length', { entityId: { length: '300' } }],
  ['entityId 129 characters', { entityId: 'x'.repeat(129) }],
  ['entityId 129 emoji', { entityId: surrogatePairs(129) }],
  ['framework lower case', { framework: 'gdpr' }],
  ['framework a number', { framework: 1 }],
  ['framework too long', { framework: 'A'.repeat(33) }],
  ['controlId 65 characters', { controlId: 'c'.repeat(65) }],
  ['controlId an object', { controlId: {} }],
  ['status upper case', { status: 'PASSED' }],
  ['status null', { status: null }],
  ['status a number', { status: 1 }],
  ['score over 100', { score: 100.01 }],
  ['score negative', { score: -1 }],
  ['score three decimals', { score: 1.234 }],
  ['score a string', { score: '5' }],
  ['score null', { score: null }],
  ['score huge', { score: 1e21 }],
  ['score tiny with a dot', { score: 1.5e-7 }],
  ['details an array', { details: [1, 2] }],
  ['details a string', { details: 'x' }],
  ['details a long string', { details: 'x'.repeat(17_000) }],
  ['details a number', { details: 5 }],
  ['details over the cap', { details: { blob: 'x'.repeat(17_000) } }],
  ['evidenceNotes a number', { evidenceNotes: 5 }],
  ['evidenceNotes 10,001 characters', { evidenceNotes: 'n'.repeat(10_001) }],
  ['evidenceNotes an object', { evidenceNotes: { a: 1 } }],
  ['assessedAt not a date', { assessedAt: 'nope' }],
  ['assessedAt empty', { assessedAt: '' }],
  ['assessedAt an object', { assessedAt: {} }],
  ['assessedAt an array', { assessedAt: ['2026-11-20T10:00:00Z'] }],
  ['assessedAt a number', { assessedAt: 5 }],
  ['assessedAt epoch milliseconds', { assessedAt: 1700000000000 }],
  ['assessedAt true', { assessedAt: true }],
  ['assessedAt a date without time', { assessedAt: '2026-11-20' }],
  ['assessedAt before Postgres range', { assessedAt: '-271821-04-20T00:00:00.000Z' }],
  ['assessedAt in year 0', { assessedAt: '0000-01-01T00:00:00Z' }],
  ['assessedAt in year 100000', { assessedAt: '+100000-01-01T00:00:00Z' }],
  ['assessedAt without a time zone', { assessedAt: '2026-11-20T10:00:00' }],
  ['prototype keys on the record', { constructor: 'x', prototype: 1 }],
  ['unknown properties, numeric ones first', { zzz: 1, 5: 2, aaa: 3 }],
  ['an unknown property and a bad field', { extra: true, score: 101 }],
];
const GOOD_RECORDS: [string, Body][] = [
  ['as built', {}],
  ['entityId of 128 emoji', { entityId: surrogatePairs(128) }],
  ['entityId of one variation selector', { entityId: '\uFE0F' }],
  ['score 0', { score: 0 }],
  ['score 100', { score: 100 }],
  ['score with two decimals', { score: 99.99 }],
  ['details null', { details: null }],
  ['details absent', { details: undefined }],
  [
    'details with prototype keys at any depth',
    { details: { constructor: 1, a: { prototype: 2, b: [{ constructor: 3 }] } } },
  ],
  ['evidenceNotes null', { evidenceNotes: null }],
  ['evidenceNotes of 10,000 emoji', { evidenceNotes: surrogatePairs(10_000) }],
  ['assessedAt null', { assessedAt: null }],
  ['assessedAt with an offset', { assessedAt: '2026-11-20T10:00:00.5+05:30' }],
  ['assessedAt in year 1', { assessedAt: '0001-01-01T00:00:00Z' }],
];

/** Random records with one to three fields replaced by odd values. */
function mutants(count: number, seed: number): Body[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const fields = [
    'entityId',
    'framework',
    'controlId',
    'status',
    'score',
    'details',
    'evidenceNotes',
    'assessedAt',
    'other',
  ];
  const values = [
    undefined,
    null,
    true,
    false,
    0,
    -0.5,
    1,
    42.42,
    100,
    100.001,
    1.005,
    -1e300,
    '',
    ' ',
    'a',
    'GDPR',
    'SOC2',
    'passed',
    'pending',
    'x'.repeat(64),
    'x'.repeat(65),
    'x'.repeat(128),
    'x'.repeat(129),
    '2026-02-30',
    '2026-11-20T10:00:00Z',
    [],
    [1],
    {},
    { a: 1 },
    { length: 3 },
    surrogatePairs(64),
    surrogatePairs(65),
  ];
  return Array.from({ length: count }, () => {
    const record: Body = { ...aRecord() };
    const changes = 1 + Math.floor(random() * 3);
    for (let i = 0; i < changes; i++) record[pick(fields)] = pick(values);
    return record;
  });
}

describe('validateBulkRecords', () => {
  it.each(BAD_RECORDS)('rejects a record like the single-record route does: %s', async (_name, overrides) => {
    const record = { ...aRecord(), ...overrides };
    const expected = await byClassValidator(record);
    const actual = byBulkValidator({ records: [aRecord(), record] });
    expect(expected.errors).toBeDefined();
    const prefixed = (expected.errors as { field: string; messages: string[] }[]).map((error) => ({
      ...error,
      field: `records.1.${error.field}`,
    }));
    expect(actual.errors).toEqual(prefixed);
  });

  it.each(GOOD_RECORDS)(
    'accepts and converts a record like the single-record route does: %s',
    async (_name, overrides) => {
      const record = { ...aRecord(), ...overrides };
      const expected = await byClassValidator(record);
      expect(expected.errors).toBeUndefined();
      expect(byBulkValidator({ records: [record] }).value).toEqual([expected.value]);
    },
  );

  it('agrees with the single-record route on 2,000 random mutants, valid or not', async () => {
    const records = mutants(2_000, 20261124);
    const expectedErrors: unknown[] = [];
    const validRecords: Body[] = [];
    const validValues: unknown[] = [];
    for (const [index, record] of records.entries()) {
      const expected = await byClassValidator(record);
      if (!expected.errors) {
        validRecords.push(record);
        validValues.push(expected.value);
      }
      for (const error of (expected.errors ?? []) as { field: string }[]) {
        expectedErrors.push({ ...error, field: `records.${index}.${error.field}` });
      }
    }
    expect(expectedErrors.length).toBeGreaterThan(100);
    expect(validRecords.length).toBeGreaterThan(100);
    expect(byBulkValidator({ records }).errors).toEqual(expectedErrors);
    expect(byBulkValidator({ records: validRecords }).value).toEqual(validValues);
  });

  it('refuses, on both paths, the values on which class-validator and class-transformer throw', async () => {
    for (const [field, value] of [
      ['score', 1e-7],
      ['assessedAt', { toString: 1 }],
    ] as const) {
      const bad = { ...aRecord(), [field]: value };
      const single = (await byClassValidator(bad)).errors as { field: string; messages: string[] }[];
      expect(single.map((error) => error.field)).toEqual([field]);
      expect(byBulkValidator({ records: [bad] }).errors).toEqual(
        single.map((error) => ({ ...error, field: `records.0.${error.field}` })),
      );
    }
  });

  it('names the fields in the detail, as the ValidationPipe does', () => {
    const { detail } = byBulkValidator({ records: [aRecord(), aRecord({ score: 101, status: 'x' })] });
    expect(detail).toBe('Invalid field(s): records.1.status, records.1.score.');
  });

  describe('the envelope, as the ValidationPipe answered for the former BulkRecordsDto', () => {
    const ARRAY_MESSAGES = [
      'records must contain no more than 10000 elements',
      'records must contain at least 1 elements',
      'records must be an array',
    ];
    const NOT_AN_OBJECT = 'each value in nested property records must be either object or array';

    it.each([
      ['no body', undefined],
      ['no records', {}],
    ])('requires records: %s', (_name, body) => {
      expect(byBulkValidator(body).errors).toEqual([{ field: 'records', messages: ARRAY_MESSAGES }]);
    });

    it.each([
      ['null', null],
      ['a string', 'x'],
      ['a number', 0],
    ])('refuses records that are %s', (_name, records) => {
      expect(byBulkValidator({ records }).errors).toEqual([
        { field: 'records', messages: [...ARRAY_MESSAGES, NOT_AN_OBJECT] },
      ]);
    });

    it('validates records that are one object as one record', () => {
      expect(fieldsOf(byBulkValidator({ records: { a: 1 } }))).toEqual([
        'records',
        'records.a',
        'records.entityId',
        'records.framework',
        'records.controlId',
        'records.status',
        'records.score',
      ]);
    });

    it('refuses a body that is not an object, as the validation pipe does for every body', async () => {
      for (const body of [[aRecord()], null, 42, 'x']) {
        expect(byBulkValidator(body).errors).toEqual([{ field: 'body', messages: ['the body must be a JSON object'] }]);
        expect((await byClassValidator(body)).errors).toEqual(byBulkValidator(body).errors);
      }
    });

    it('refuses an empty batch, unknown top-level properties, and prototype keys like any unknown one', () => {
      expect(byBulkValidator({ records: [] }).errors).toEqual([
        { field: 'records', messages: ['records must contain at least 1 elements'] },
      ]);
      expect(byBulkValidator({ records: [aRecord()], foo: 1 }).errors).toEqual([
        { field: 'foo', messages: ['property foo should not exist'] },
      ]);
      expect(byBulkValidator({ records: [aRecord()], foo: 1, constructor: 2 }).errors).toEqual([
        { field: 'constructor', messages: ['property constructor should not exist'] },
      ]);
    });

    it('refuses more than 10,000 records and still names the bad ones', () => {
      const records: unknown[] = Array.from({ length: 10_001 }, () => aRecord());
      records.push({ ...aRecord(), score: 101 });
      expect(byBulkValidator({ records }).errors).toEqual([
        { field: 'records', messages: ['records must contain no more than 10000 elements'] },
        { field: 'records.10001.score', messages: ['score must not be greater than 100'] },
      ]);
    });

    it('refuses items that are not objects, nested arrays included', () => {
      expect(byBulkValidator({ records: [null, 1, 'x', [aRecord()], aRecord()] }).errors).toEqual(
        [0, 1, 2, 3].map((index) => ({ field: `records.${index}`, messages: [NOT_AN_OBJECT] })),
      );
    });

    it('returns the records in input order, with dates converted', () => {
      const records = [aRecord({ controlId: 'first' }), aRecord({ controlId: 'second', assessedAt: undefined })];
      const value = byBulkValidator({ records }).value as CreateRecordDto[];
      expect(value.map((record) => record.controlId)).toEqual(['first', 'second']);
      expect(value[0].assessedAt).toEqual(new Date('2026-11-20T10:00:00.000Z'));
      expect(value[1]).not.toHaveProperty('assessedAt');
    });
  });
});
