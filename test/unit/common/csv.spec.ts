import fc from 'fast-check';
import { CsvSyntaxError, parseCsv } from '../../../src/common/csv.js';

const fieldsOf = (text: string) => parseCsv(text).map((record) => record.fields);

/** The error a text is refused with, as `line:character message`. */
function refusal(text: string): string {
  try {
    parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return `${error.line}:${error.character} ${error.message}`;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseCsv (RFC 4180, strict)', () => {
  it('reads records separated by CRLF or LF, with or without a final line break', () => {
    expect(fieldsOf('a,b\r\nc,d\r\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(fieldsOf('a,b\nc,d')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(fieldsOf('')).toEqual([]);
  });

  it('keeps empty fields, at the start, the middle and the end, and does not trim spaces', () => {
    expect(fieldsOf(',x,,\r\n a , ,"",\r\n')).toEqual([
      ['', 'x', '', ''],
      [' a ', ' ', '', ''],
    ]);
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks', () => {
    expect(fieldsOf('"a,b","say ""hi""","two\r\nlines"\r\n"""",x,"\n"\r\n')).toEqual([
      ['a,b', 'say "hi"', 'two\r\nlines'],
      ['"', 'x', '\n'],
    ]);
  });

  it('numbers each record by the line it starts on, counting line breaks inside quotes', () => {
    const records = parseCsv('h1,h2\r\n"one\r\ntwo\r\nthree",x\r\nlast,y');
    expect(records.map((record) => record.line)).toEqual([1, 2, 5]);
  });

  it('skips a leading UTF-8 byte order mark and reads UTF-8 text as it is', () => {
    expect(fieldsOf('\uFEFFfrom,to\r\nArt. 32 — chiffrement,日本\r\n')).toEqual([
      ['from', 'to'],
      ['Art. 32 — chiffrement', '日本'],
    ]);
  });

  it('reads back any table written with every field quoted', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', '日', ' ', ',', '"', '\r', '\n', '\t') });
    const table = fc
      .integer({ min: 1, max: 4 })
      .chain((width) => fc.array(fc.array(field, { minLength: width, maxLength: width }), { minLength: 1 }));
    const quoted = (value: string) => `"${value.replaceAll('"', '""')}"`;
    fc.assert(
      fc.property(table, fc.boolean(), (rows, finalBreak) => {
        const text = rows.map((row) => row.map(quoted).join(',')).join('\r\n') + (finalBreak ? '\r\n' : '');
        expect(fieldsOf(text)).toEqual(rows);
      }),
    );
  });

  it('refuses a quote inside an unquoted field, naming the line and character', () => {
    expect(refusal('a,b\r\nc,d"e\r\n')).toBe(
      '2:4 a quote inside an unquoted field (quote the whole field and double the quote)',
    );
  });

  it('refuses text after a closing quote, and an undoubled quote inside a quoted field', () => {
    expect(refusal('a,b\r\n"c"d,e\r\n')).toMatch(/^2:4 a closing quote must be followed by a comma/);
    expect(refusal('a,b\r\n"say "hi"",e\r\n')).toMatch(/^2:7 a closing quote must be followed by a comma/);
    expect(refusal('a,b\r\n"x" ,e\r\n')).toMatch(/^2:4 a closing quote/);
  });

  it('refuses a quoted field that is never closed, at the line its quote opens', () => {
    expect(refusal('a,b\r\nc,"d\r\ne,f\r\n')).toBe('2:3 the quoted field is never closed');
  });

  it('refuses a carriage return without its line feed', () => {
    expect(refusal('a,b\rc,d')).toBe('1:4 a carriage return must be followed by a line feed (CRLF)');
    expect(refusal('a,b\r')).toMatch(/^1:4 a carriage return/);
  });

  it('refuses a record with another number of fields than the first, and blank lines', () => {
    expect(refusal('a,b,c\r\nd,e\r\n')).toBe('2:1 2 field(s) where line 1 has 3');
    expect(refusal('a,b\r\n\r\nc,d\r\n')).toBe('2:1 a blank line is not a record');
    expect(refusal('a,b\r\nc,d\r\n\r\n')).toBe('3:1 a blank line is not a record');
  });

  it('refuses control characters such as NUL, which PostgreSQL cannot store, but keeps tabs', () => {
    expect(refusal('a,b\r\nc,d\u0000\r\n')).toBe('2:4 control character U+0000 is not allowed');
    expect(refusal('a,"x\n\u001b"\r\n')).toBe('2:1 control character U+001B is not allowed');
    expect(fieldsOf('a\tb,c')).toEqual([['a\tb', 'c']]);
  });
});
