import {
  DATE_TIME_RANGE,
  decodeCursorJson,
  encodeCursorJson,
  INT4,
  integerFromText,
  isIntegerWithin,
  numberFromText,
  parseDateTime,
  parsePostgresTimestamp,
  SAFE_BIGINT,
  textDefect,
} from '../../../src/common/scalars';

const iso = (date: Date | undefined) => date?.toISOString();

describe('parseDateTime', () => {
  it.each([
    ['2026-11-01T00:00:00Z', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T10:00:00.123Z', '2026-11-01T10:00:00.123Z'],
    ['2026-11-01T10:00:00.123456789Z', '2026-11-01T10:00:00.123Z'],
    ['2026-11-01t10:00:00z', '2026-11-01T10:00:00.000Z'],
    ['2026-11-01T10:00Z', '2026-11-01T10:00:00.000Z'],
    ['2026-11-01T10:00:00+01:00', '2026-11-01T09:00:00.000Z'],
    ['2026-11-01T10:00:00-0230', '2026-11-01T12:30:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T23:59:59.999Z', '2000-02-29T23:59:59.999Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-06-15T12:00:00Z', '0099-06-15T12:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('reads %s', (text, expected) => {
    expect(iso(parseDateTime(text))).toBe(expected);
  });

  it.each([
    ['below Postgres range', '-271821-04-20T00:00:00.000Z'],
    ['year zero', '0000-01-01T00:00:00Z'],
    ['an expanded year', '+100000-01-01T00:00:00Z'],
    ['before year 1 once offset', '0001-01-01T00:00:00+01:00'],
    ['after 9999 once offset', '9999-12-31T23:30:00-01:00'],
    ['no time zone', '2026-11-01T00:00:00'],
    ['a date alone', '2026-11-01'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-11-00T00:00:00Z'],
    ['February 30', '2026-02-30T00:00:00Z'],
    ['February 29 of a common year', '2026-02-29T00:00:00Z'],
    ['February 29 of 1900', '1900-02-29T00:00:00Z'],
    ['hour 24', '2026-11-01T24:00:00Z'],
    ['minute 60', '2026-11-01T10:60:00Z'],
    ['leap second', '2026-12-31T23:59:60Z'],
    ['offset of 24 hours', '2026-11-01T10:00:00+24:00'],
    ['offset minutes 60', '2026-11-01T10:00:00+01:60'],
    ['CRLF injection', '\r\nX-Injected: 1'],
    ['a date after a CRLF', '\r\n2026-11-01T00:00:00Z'],
    ['trailing text', '2026-11-01T00:00:00Z junk'],
    ['an RFC 2822 date', 'Sun, 01 Nov 2026 00:00:00 GMT'],
    ['digits', '1700000000000'],
    ['empty', ''],
    ['a space for the T', '2026-11-01 00:00:00Z'],
    ['NUL', '2026-11-01T00:00:00Z\u0000'],
    ['overlong text', `2026-11-01T00:00:00.${'1'.repeat(60)}Z`],
  ])('refuses %s', (_name, text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });

  it.each([1700000000000, 0, null, undefined, true, {}, ['2026-11-01T00:00:00Z'], new Date()])(
    'refuses the non-string %p',
    (value) => {
      expect(parseDateTime(value)).toBeUndefined();
    },
  );

  it('keeps its range within what Postgres and Date both hold', () => {
    expect(new Date(DATE_TIME_RANGE.min).toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(new Date(DATE_TIME_RANGE.max).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });
});

describe('parsePostgresTimestamp', () => {
  it.each(['2026-11-24 10:15:00+00', '2026-11-24 10:15:00.123456+00', '2026-11-24 10:15:00-05:30'])(
    'reads %s',
    (text) => {
      expect(parsePostgresTimestamp(text)).toBeInstanceOf(Date);
    },
  );

  it.each([
    '2026-13-45 99:99:99+00',
    '2026-02-30 10:00:00+00',
    '2026-11-24 24:00:00+00',
    '2026-11-24T10:15:00Z',
    '2026-11-24 10:15:00.1234567+00',
    '0000-01-01 00:00:00+00',
    'infinity',
    '',
  ])('refuses %p', (text) => {
    expect(parsePostgresTimestamp(text)).toBeUndefined();
  });
});

describe('integerFromText and isIntegerWithin', () => {
  it.each([
    ['1', 1],
    ['+7', 7],
    ['-3', -3],
    ['007', 7],
    ['9007199254740991', 9007199254740991],
  ])('reads %p as %p', (text, expected) => {
    expect(integerFromText(text)).toBe(expected);
  });

  it.each(['1e308', '1e3', '0x10', '0b1', ' 1', '1 ', '', '1.0', '1.5', 'Infinity', 'NaN', '99999999999999999999999'])(
    'reads %p as NaN',
    (text) => {
      expect(integerFromText(text)).toBeNaN();
    },
  );

  it('leaves values that are not text for the rules to refuse', () => {
    expect(integerFromText(['1', '2'])).toEqual(['1', '2']);
    expect(integerFromText(5)).toBe(5);
  });

  it.each([
    [INT4.max, true],
    [INT4.max + 1, false],
    [INT4.min, true],
    [INT4.min - 1, false],
    [1.5, false],
    [NaN, false],
    [Infinity, false],
    [1e308, false],
    ['1', false],
  ])('int4 holds %p: %p', (value, expected) => {
    expect(isIntegerWithin(value, INT4)).toBe(expected);
  });

  it('refuses unsafe integers even within bigint', () => {
    expect(isIntegerWithin(2 ** 53 - 1, SAFE_BIGINT)).toBe(true);
    expect(isIntegerWithin(2 ** 53 /* JSON 9007199254740993 parses to this */, SAFE_BIGINT)).toBe(false);
    expect(isIntegerWithin(2 ** 63, SAFE_BIGINT)).toBe(false);
    expect(isIntegerWithin(1.23e29, SAFE_BIGINT)).toBe(false);
  });
});

describe('numberFromText', () => {
  it.each([
    ['12.5', 12.5],
    ['0', 0],
    ['-1', -1],
    ['.5', 0.5],
    ['100.00', 100],
  ])('reads %p', (text, expected) => {
    expect(numberFromText(text)).toBe(expected);
  });

  it.each(['1e2', '0x1A', '', ' ', '1.', 'Infinity', '1,5'])('reads %p as NaN', (text) => {
    expect(numberFromText(text)).toBeNaN();
  });
});

describe('textDefect', () => {
  it.each(['', 'plain', 'emoji \u{1F600}', 'ǅ İ ß', '\uFFFD'])('accepts %p', (text) => {
    expect(textDefect(text)).toBeUndefined();
  });

  it.each(['\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uDE00\uD83D'])('refuses %p', (text) => {
    expect(textDefect(text)).toMatch(/NUL|well-formed/);
  });
});

describe('decodeCursorJson', () => {
  it('reads back what encodeCursorJson wrote', () => {
    const value = { at: '2026-11-24 10:15:00+00', shard: 3, seq: 17 };
    expect(decodeCursorJson(encodeCursorJson(value))).toEqual(value);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'eyJh!!!'],
    ['padding', `${encodeCursorJson([1])}=`],
    ['standard base64 characters', Buffer.from('{"a":1}>?').toString('base64')],
    ['not JSON', Buffer.from('not json').toString('base64url')],
    ['invalid UTF-8', Buffer.from([0x22, 0xc3, 0x28, 0x22]).toString('base64url')],
    ['too long', encodeCursorJson('x'.repeat(600))],
  ])('refuses %s', (_name, raw) => {
    expect(decodeCursorJson(raw)).toBeUndefined();
  });
});
