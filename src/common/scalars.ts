/**
 * Every scalar that enters the API is parsed here: dates, integers, decimals and text, whether they
 * come from a JSON body, a query string or inside a cursor. The DTO decorators
 * (`validation-rules.ts`), the bulk records validator and the cursor decoders all call these, so a
 * value refused in one place is refused in all, and nothing Postgres would reject (a 500) gets past.
 */

export interface Bounds {
  min: number;
  max: number;
}

/** Postgres `integer` (int4): versions, pages. */
export const INT4 = { min: -2_147_483_648, max: 2_147_483_647 } as const;
/** Postgres `smallint`: audit shards. */
export const SMALLINT = { min: -32_768, max: 32_767 } as const;
/** Postgres `bigint` values read back into JS numbers: only the safe-integer part of its range. */
export const SAFE_BIGINT = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } as const;

/**
 * Instants the API accepts: years 0001 to 9999 in UTC (RFC 3339). Postgres' timestamptz reaches
 * further, but not year 0, and JS `Date` cannot write the rest in a form Postgres reads back.
 */
export const DATE_TIME_RANGE = {
  min: utc(1, 1, 1, 0, 0, 0, 0),
  max: utc(9999, 12, 31, 23, 59, 59, 999),
} as const;

/** `Date.UTC` with a 1-based month, and without its reading of years 0–99 as 1900–1999. */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number) {
  // Date.UTC reads years 0-99 as 1900-1999; only those need the setter (a bulk body parses 10,000 dates).
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** ISO 8601 / RFC 3339 date-time with a time zone: `2026-11-01T10:00:00Z`, `…T10:00:00.123+01:00`. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):?(\d{2}))$/;
/** Postgres' text form of a timestamptz (`2026-11-24 10:15:00.123456+00`), as cursors carry it. */
const PG_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?()([+-])(\d{2})(?::(\d{2}))?$/;

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** The instant a date-time regex match names, or undefined when a field is out of its calendar range. */
function instantOf(match: RegExpExecArray): Date | undefined {
  const [year, month, day, hour, minute] = [+match[1], +match[2], +match[3], +match[4], +match[5]];
  const second = Number(match[6] ?? 0);
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = match[9] ? (match[9] === '-' ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11] ?? 0)) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (Math.abs(offset) >= 24 * 60 || Number(match[11] ?? 0) > 59) return undefined;
  const time = utc(year, month, day, hour, minute, second, millis) - offset * 60_000;
  if (time < DATE_TIME_RANGE.min || time > DATE_TIME_RANGE.max) return undefined;
  return new Date(time);
}

/**
 * An ISO 8601 date-time string with a time zone, as a Date; undefined for anything else: other
 * types (numbers are not dates), other formats (`new Date()`'s leniency reads `\r\nX: 1` as 2001),
 * impossible fields (`2026-02-30`) and instants outside `DATE_TIME_RANGE`.
 */
export function parseDateTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const match = ISO_DATE_TIME.exec(value);
  return match ? instantOf(match) : undefined;
}

/** Postgres' text form of a timestamptz, checked the same way; the text itself is what a cursor sends back. */
export function parsePostgresTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const match = PG_TIMESTAMP.exec(value);
  return match ? instantOf(match) : undefined;
}

/** An integer within `bounds` (which must be safe integers themselves). */
export function isIntegerWithin(value: unknown, bounds: Bounds): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= bounds.min && value <= bounds.max;
}

const DECIMAL_INTEGER = /^[+-]?\d{1,16}$/;
const DECIMAL_NUMBER = /^[+-]?(?:\d{1,16}(?:\.\d{1,16})?|\.\d{1,16})$/;

/**
 * Query text → number for an integer parameter: plain decimal digits only. `Number()` would take
 * `1e308`, `0x10`, ` 1 ` and the empty string (0); those become NaN, which no integer rule passes.
 * Values that are not text (a repeated parameter is an array) are left for the rules to refuse.
 */
export function integerFromText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return DECIMAL_INTEGER.test(value) ? Number(value) : NaN;
}

/** Query text → number for a decimal parameter (`12.5`), with the same strictness. */
export function numberFromText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return DECIMAL_NUMBER.test(value) ? Number(value) : NaN;
}

/** With the `u` flag a surrogate pair is one code point: only a lone surrogate matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export const NUL_MESSAGE = 'must not contain the NUL character';
export const ILL_FORMED_MESSAGE = 'must be well-formed Unicode';

/**
 * Why a text value cannot be accepted, or undefined. Postgres cannot store NUL in text or jsonb,
 * and a lone surrogate cannot be encoded as UTF-8. (JSON bodies are checked before parsing, by
 * `jsonBodyDefect` and a fatal UTF-8 decoder; query strings and path segments come here.)
 */
export function textDefect(value: string): string | undefined {
  if (value.includes('\u0000')) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(value)) return ILL_FORMED_MESSAGE;
  return undefined;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON a cursor carries, or undefined when it is not base64url of UTF-8 JSON. Node's base64
 * decoder skips characters it does not know, so the alphabet is checked first. The caller then
 * validates every field with the parsers above: a cursor is input like any other.
 */
export function decodeCursorJson(raw: string, maxLength = 512): unknown {
  if (raw.length === 0 || raw.length > maxLength || !BASE64URL.test(raw)) return undefined;
  try {
    return JSON.parse(STRICT_UTF8.decode(Buffer.from(raw, 'base64url'))) as unknown;
  } catch {
    return undefined;
  }
}

export function encodeCursorJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
