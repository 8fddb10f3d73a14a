/** One CSV record: its fields, and the line it starts on (a quoted field may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Where the text stops being RFC 4180: 1-based line, and character within that line. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly character: number,
    message: string,
  ) {
    super(message);
  }
}

/** C0 controls other than TAB, CR and LF: PostgreSQL cannot store NUL, and none of them belongs in a field. */
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL_CHARACTER = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

/**
 * A strict RFC 4180 reader. Fields are separated by commas and records by CRLF (LF alone is
 * accepted too; a CR without its LF is not); a field that holds a comma, quote or line break is
 * quoted, a quote inside doubled. Refused instead of guessed at: a quote inside an unquoted
 * field, anything but a comma or line end after a closing quote, an unclosed quote, a blank line,
 * a record with another number of fields than the first, control characters. A leading UTF-8
 * BOM is skipped; the final line break is optional. Fields are not trimmed.
 */
export function parseCsv(input: string): CsvRecord[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const control = CONTROL_CHARACTER.exec(text);
  if (control) {
    const { line, character } = positionOf(text, control.index);
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new CsvSyntaxError(line, character, `control character U+${code} is not allowed`);
  }
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (at: number, message: string): never => {
    throw new CsvSyntaxError(line, at - lineStart + 1, message);
  };

  while (i < text.length) {
    const record: CsvRecord = { line, fields: [] };
    if (text[i] === '\n' || text[i] === '\r') fail(i, 'a blank line is not a record');
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        const open = { line, character: i - lineStart + 1 };
        i++;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote === -1) throw new CsvSyntaxError(open.line, open.character, 'the quoted field is never closed');
          const chunk = text.slice(i, quote);
          for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', nl + 1)) {
            line++;
            lineStart = i + nl + 1;
          }
          value += chunk;
          i = quote + 1;
          if (text[i] !== '"') break;
          value += '"';
          i++;
        }
        if (i < text.length && !',\r\n'.includes(text[i])) {
          fail(i, 'a closing quote must be followed by a comma or the end of the line (a quote inside is doubled)');
        }
      } else {
        const start = i;
        while (i < text.length && !',\r\n'.includes(text[i])) {
          if (text[i] === '"') fail(i, 'a quote inside an unquoted field (quote the whole field and double the quote)');
          i++;
        }
        value = text.slice(start, i);
      }
      record.fields.push(value);
      if (text[i] !== ',') break;
      i++;
    }
    if (text[i] === '\r') {
      if (text[i + 1] !== '\n') fail(i, 'a carriage return must be followed by a line feed (CRLF)');
      i++;
    }
    if (text[i] === '\n') {
      i++;
      line++;
      lineStart = i;
    }
    const expected = records[0]?.fields.length ?? record.fields.length;
    if (record.fields.length !== expected) {
      throw new CsvSyntaxError(
        record.line,
        1,
        `${record.fields.length} field(s) where line ${records[0].line} has ${expected}`,
      );
    }
    records.push(record);
  }
  return records;
}

function positionOf(text: string, index: number): { line: number; character: number } {
  let line = 1;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < index; nl = text.indexOf('\n', nl + 1)) line++;
  return { line, character: index - (text.lastIndexOf('\n', index - 1) + 1) + 1 };
}
