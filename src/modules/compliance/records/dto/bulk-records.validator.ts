import {
  arrayMaxSize,
  arrayMinSize,
  isIn,
  isObject,
  isString,
  length,
  matches,
  max,
  maxLength,
  min,
} from 'class-validator';
import type { FieldError } from '../../../../common/problem.js';
import { inputDefects, PROTOTYPE_KEYS, unknownField, validationProblem } from '../../../../common/validation.js';
import { DATE_TIME_MESSAGE, isDateTimeValue, toDateTime } from '../../../../common/validation-rules.js';
import { MAX_BULK_RECORDS } from '../compliance-records.routes.js';
import { RECORD_STATUSES } from '../record-status.js';
import type { CreateRecordDto } from './create-record.dto.js';
import { fitsJsonSize, maxJsonSizeMessage } from './max-json-size.js';
import {
  CONTROL_ID_LENGTH,
  ENTITY_ID_LENGTH,
  FRAMEWORK_CODE,
  FRAMEWORK_CODE_MESSAGE,
  MAX_DETAILS_BYTES,
  MAX_EVIDENCE_NOTES_LENGTH,
  isScoreNumber,
  SCORE_RANGE,
} from './record-rules.js';

/*
 * The bulk body is validated here rather than by the global ValidationPipe: class-transformer and
 * class-validator spend about a second on 10,000 nested DTOs. The checks are class-validator's own
 * predicates with the limits of `record-rules.ts`, and the errors are the ones `CreateRecordDto`'s
 * decorators give (same fields, messages and order); test/unit/compliance/bulk-records.validator.spec.ts
 * holds the two to that on a corpus of bad records. Scalars are parsed by the same functions as the
 * DTO's (`toDateTime`, from `common/scalars.ts`), so the two routes cannot disagree on a date again.
 */

interface Check {
  passes(value: unknown): boolean;
  message(value: unknown): string;
}

interface FieldRule {
  property: keyof CreateRecordDto & string;
  /** `@IsOptional()`: null and undefined skip the checks. */
  optional?: boolean;
  /** What the DTO's class-transformer step makes of the JSON value. */
  convert?(value: unknown): unknown;
  /** In the order class-validator reports them (the reverse of the decorators'). */
  checks: Check[];
}

const NOT_AN_OBJECT = 'each value in nested property records must be either object or array';

const isStringCheck = (property: string): Check => ({
  passes: isString,
  message: () => `${property} must be a string`,
});

/** `@Length(min, max)`, whose message depends on the value. */
function lengthCheck(property: string, bounds: { min: number; max: number }): Check {
  return {
    passes: (value) => length(value, bounds.min, bounds.max),
    message: (value) => {
      const size = (value as { length?: unknown } | null | undefined)?.length as number;
      if (!value || size < bounds.min) return `${property} must be longer than or equal to ${bounds.min} characters`;
      if (size > bounds.max) return `${property} must be shorter than or equal to ${bounds.max} characters`;
      return `${property} must be longer than or equal to ${bounds.min} and shorter than or equal to ${bounds.max} characters`;
    },
  };
}

/** Deletes the keys the ValidationPipe deletes inside a body (here: in `details`), at any depth, in place. */
function withoutPrototypeKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (const item of value) withoutPrototypeKeys(item);
    return value;
  }
  const object = value as Record<string, unknown>;
  for (const key of PROTOTYPE_KEYS) if (Object.hasOwn(object, key)) delete object[key];
  for (const key of Object.keys(object)) withoutPrototypeKeys(object[key]);
  return value;
}

const FIELDS: FieldRule[] = [
  { property: 'entityId', checks: [lengthCheck('entityId', ENTITY_ID_LENGTH), isStringCheck('entityId')] },
  {
    property: 'framework',
    checks: [
      // `matches` is typed for strings but returns false for anything else, like the decorator.
      { passes: (value) => matches(value as string, FRAMEWORK_CODE), message: () => FRAMEWORK_CODE_MESSAGE },
      isStringCheck('framework'),
    ],
  },
  { property: 'controlId', checks: [lengthCheck('controlId', CONTROL_ID_LENGTH), isStringCheck('controlId')] },
  {
    property: 'status',
    checks: [
      {
        passes: (value) => isIn(value, RECORD_STATUSES),
        message: () => `status must be one of the following values: ${RECORD_STATUSES.join(', ')}`,
      },
    ],
  },
  {
    property: 'score',
    checks: [
      {
        passes: (value) => max(value, SCORE_RANGE.max),
        message: () => `score must not be greater than ${SCORE_RANGE.max}`,
      },
      {
        passes: (value) => min(value, SCORE_RANGE.min),
        message: () => `score must not be less than ${SCORE_RANGE.min}`,
      },
      { passes: isScoreNumber, message: () => 'score must be a number conforming to the specified constraints' },
    ],
  },
  {
    property: 'details',
    optional: true,
    convert: withoutPrototypeKeys,
    checks: [
      {
        passes: (value) => fitsJsonSize(value, MAX_DETAILS_BYTES),
        message: () => maxJsonSizeMessage('details', MAX_DETAILS_BYTES),
      },
      { passes: isObject, message: () => 'details must be an object' },
    ],
  },
  {
    property: 'evidenceNotes',
    optional: true,
    checks: [
      {
        passes: (value) => maxLength(value, MAX_EVIDENCE_NOTES_LENGTH),
        message: () => `evidenceNotes must be shorter than or equal to ${MAX_EVIDENCE_NOTES_LENGTH} characters`,
      },
      isStringCheck('evidenceNotes'),
    ],
  },
  {
    property: 'assessedAt',
    optional: true,
    convert: toDateTime,
    checks: [{ passes: isDateTimeValue, message: () => `assessedAt ${DATE_TIME_MESSAGE}` }],
  },
];
const KNOWN_FIELDS = new Set<string>(FIELDS.map((rule) => rule.property));

/**
 * Errors of one record object go to `errors` under `path`; returns the record as the DTO would hold it.
 * Prototype keys on the record are unknown fields, as the validation pipe reports them on a body.
 */
function checkRecord(source: object, path: string, errors: FieldError[]): CreateRecordDto {
  const input = source as Record<string, unknown>;
  const prototypeKeys = Object.keys(input).filter((key) => PROTOTYPE_KEYS.has(key));
  if (prototypeKeys.length) {
    errors.push(...prototypeKeys.map((key) => unknownField(key, path)));
    return {} as CreateRecordDto;
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key)) errors.push(unknownField(key, path));
  }
  const record: Record<string, unknown> = {};
  for (const rule of FIELDS) {
    const raw = Object.hasOwn(input, rule.property) ? input[rule.property] : undefined;
    const value = rule.convert && raw !== null && raw !== undefined ? rule.convert(raw) : raw;
    if (value !== undefined) record[rule.property] = value;
    if (rule.optional && (value === null || value === undefined)) continue;
    let messages: string[] | undefined;
    for (const check of rule.checks) {
      if (!check.passes(value)) (messages ??= []).push(check.message(value));
    }
    if (messages) errors.push({ field: `${path}.${rule.property}`, messages });
  }
  return record as unknown as CreateRecordDto;
}

/** Records `start` to `end` of the array checked into `valid`, their errors into `errors`. */
export function checkItems(
  records: unknown[],
  start: number,
  end: number,
  errors: FieldError[],
  valid: CreateRecordDto[],
) {
  for (let index = start; index < end; index++) {
    const item: unknown = records[index];
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      valid.push(checkRecord(item, `records.${index}`, errors));
    } else {
      errors.push({ field: `records.${index}`, messages: [NOT_AN_OBJECT] });
    }
  }
}

/** The envelope's errors (`records`, unknown top-level keys) and its records as sent. */
export function envelopeOf(body: unknown): { errors: FieldError[]; records: unknown } {
  const errors: FieldError[] = [];
  const envelope = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  // What the validation pipe refuses in any body first: not an object, prototype keys.
  const defects = inputDefects(body, 'body');
  if (defects.length) throw validationProblem(defects);
  for (const key of Object.keys(envelope)) {
    if (key !== 'records') errors.push(unknownField(key));
  }
  const records = Object.hasOwn(envelope, 'records') ? envelope.records : undefined;
  const messages: string[] = [];
  if (!arrayMaxSize(records, MAX_BULK_RECORDS)) {
    messages.push(`records must contain no more than ${MAX_BULK_RECORDS} elements`);
  }
  if (!arrayMinSize(records, 1)) messages.push('records must contain at least 1 elements');
  if (!Array.isArray(records)) messages.push('records must be an array');
  if (records !== undefined && (records === null || typeof records !== 'object')) messages.push(NOT_AN_OBJECT);
  if (messages.length) errors.push({ field: 'records', messages });
  return { errors, records };
}

/** The 400 for a body whose envelope failed: every bad field, envelope first, as the ValidationPipe did. */
export function envelopeProblem(errors: FieldError[], records: unknown) {
  if (Array.isArray(records)) checkItems(records, 0, records.length, errors, []);
  // The ValidationPipe validated a lone object as if it were one record.
  else if (typeof records === 'object' && records !== null) checkRecord(records, 'records', errors);
  return validationProblem(errors);
}

/**
 * The records of a `POST /compliance/records/bulk` body, or a 400 naming every bad field
 * (`records`, `records.<index>.<field>`) as the ValidationPipe did for `BulkRecordsDto`. The route
 * validates chunk by chunk instead (`BulkRecords`, which gives the same answer).
 */
export function validateBulkRecords(body: unknown): CreateRecordDto[] {
  const { errors, records } = envelopeOf(body);
  if (errors.length) throw envelopeProblem(errors, records);
  const valid: CreateRecordDto[] = [];
  checkItems(records as unknown[], 0, (records as unknown[]).length, errors, valid);
  if (errors.length) throw validationProblem(errors);
  return valid;
}
