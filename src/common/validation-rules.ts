import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDefined, IsInt, IsNumber, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import { type Bounds, integerFromText, isIntegerWithin, numberFromText, parseDateTime } from './scalars.js';

/** A missing required value: the validation pipe reports it alone, without the rules it also fails. */
export const Required = () => IsDefined({ message: '$property is required' });

/**
 * On an optional field of a PATCH body whose column is NOT NULL: absent is "leave it", but an
 * explicit `null` is refused (alone, like a missing required value) instead of reaching the
 * database. Replaces the `@IsOptional()` that `PartialType` put there.
 */
export const NotNull = () =>
  applyDecorators(
    ValidateIf((_object, value) => value !== undefined),
    IsDefined({ message: '$property must not be null' }),
  );

/** Applies `NotNull()` to the named fields of a class (e.g. the PartialType of a create body). */
export function notNullFields<T>(target: abstract new () => T, fields: readonly (keyof T & string)[]): void {
  for (const field of fields) NotNull()(target.prototype as object, field);
}

export const DATE_TIME_MESSAGE = 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-01T00:00:00Z';

/** A date-time field's value after transformation: a Date when `parseDateTime` accepted it, else as it came. */
export function toDateTime(value: unknown): unknown {
  return parseDateTime(value) ?? value;
}

export const isDateTimeValue = (value: unknown): value is Date => value instanceof Date && !isNaN(value.getTime());

/**
 * A date-time, in a body or a query: ISO 8601 text with a time zone within `DATE_TIME_RANGE`
 * (`scalars.ts`), held as a Date. Numbers, other formats and impossible dates are refused.
 */
export const DateTime = () =>
  applyDecorators(
    ValidateBy({
      name: 'isDate',
      validator: { validate: isDateTimeValue, defaultMessage: () => `$property ${DATE_TIME_MESSAGE}` },
    }),
    Transform(({ value }) => toDateTime(value)),
  );

/**
 * An integer within `bounds` (a column's range, or a smaller limit). `from: 'query'` reads it from
 * query text with `integerFromText`; in a body it must already be a JSON number.
 */
export function Integer(bounds: Bounds, from: 'body' | 'query' = 'body') {
  if (!isIntegerWithin(bounds.min, bounds) || !isIntegerWithin(bounds.max, bounds)) {
    throw new Error('integer bounds must be safe integers');
  }
  // In the order stacked decorators would apply (bottom first), so the messages keep their order.
  const rules = [Max(bounds.max), Min(bounds.min), IsInt()];
  return applyDecorators(...rules, ...(from === 'query' ? [Transform(({ value }) => integerFromText(value))] : []));
}

/** A decimal query parameter within `bounds`, read with `numberFromText`. */
export const DecimalQuery = (bounds: Bounds) =>
  applyDecorators(
    Max(bounds.max),
    Min(bounds.min),
    IsNumber(),
    Transform(({ value }) => numberFromText(value)),
  );

/** Framework codes are upper case; a filter accepts them in any case. */
export const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

/** A comma-separated query value as a list of its non-empty, trimmed items. */
export const commaSeparated = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;
