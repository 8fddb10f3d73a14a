import { isNumber, ValidateBy } from 'class-validator';

/**
 * The rules of a record body, shared by the class-validator decorators of `CreateRecordDto` (single
 * record, update) and the bulk validator (`bulk-records.validator.ts`), so both enforce the same limits.
 */
export const ENTITY_ID_LENGTH = { min: 1, max: 128 } as const;
export const CONTROL_ID_LENGTH = { min: 1, max: 64 } as const;
export const FRAMEWORK_CODE = /^[A-Z0-9][A-Z0-9-]{0,31}$/;
export const FRAMEWORK_CODE_MESSAGE =
  'framework must be an upper-case framework code such as GDPR (GET /compliance/frameworks lists them)';
export const FRAMEWORK_FILTER_MESSAGE =
  'framework must be a framework code such as GDPR (GET /compliance/frameworks lists them)';
export const SCORE_RANGE = { min: 0, max: 100 } as const;
export const SCORE_NUMBER = { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 } as const;
/** Serialized `details` above this many bytes are rejected. */
export const MAX_DETAILS_BYTES = 16_384;
/** Longest accepted evidence note, in characters. */
export const MAX_EVIDENCE_NOTES_LENGTH = 10_000;

/** class-validator's `isNumber` throws on a fraction without a '.' (1e-7); that is an invalid score, not a 500. */
export function isScoreNumber(value: unknown): boolean {
  try {
    return isNumber(value, SCORE_NUMBER);
  } catch {
    return false;
  }
}

/** `@IsNumber(SCORE_NUMBER)` that answers false where class-validator would throw. */
export const IsScoreNumber = () =>
  ValidateBy({
    name: 'isNumber',
    validator: {
      validate: isScoreNumber,
      defaultMessage: () => 'score must be a number conforming to the specified constraints',
    },
  });
