import { CsvSyntaxError, parseCsv, type CsvRecord } from '../../common/csv.js';
import type { FieldError, ValidationProblem } from '../../common/problem.js';
import { validationProblem } from '../../common/validation.js';
import { MAX_MAPPINGS_PER_IMPORT } from './dto/import-mappings.body.js';

/** The columns of a mapping CSV file, in the order the header usually gives them. */
export const MAPPING_CSV_COLUMNS = [
  'from_framework',
  'from_control',
  'relationship',
  'to_framework',
  'to_control',
  'strength',
  'rationale',
] as const;
type Column = (typeof MAPPING_CSV_COLUMNS)[number];
const OPTIONAL_COLUMNS: ReadonlySet<Column> = new Set(['strength', 'rationale']);

export const MAPPING_CSV_EXAMPLE =
  `${MAPPING_CSV_COLUMNS.join(',')}\r\n` +
  'GDPR,art-32,subset-of,ISO27001,a-8-24,7,"Art. 32 names encryption among other measures."\r\n' +
  'ISO27001,A.8.24,intersects-with,PCI-DSS,3.5.1,,\r\n';

/** A CSV file read into the JSON import's body shape, still unvalidated, and the line of each mapping. */
export interface MappingsCsv {
  body: { source: string; mappings: Record<string, unknown>[] };
  lines: number[];
}

/** Where a JSON path inside one item lands in a CSV row (an end as a whole is its control). */
const COLUMN_OF_PATH: Record<string, Column> = {
  from: 'from_control',
  'from.framework': 'from_framework',
  'from.control': 'from_control',
  relationship: 'relationship',
  to: 'to_control',
  'to.framework': 'to_framework',
  'to.control': 'to_control',
  strength: 'strength',
  rationale: 'rationale',
};

/**
 * Reads a mapping CSV file (RFC 4180, header row first) into the body a JSON import would send,
 * so both go through the same validation and write. Syntax and header problems are a 400 naming
 * the line; the values are checked afterwards, by the body's own rules (see `onCsvLines`).
 */
export function readMappingsCsv(text: string, source: string): MappingsCsv {
  const [header, ...rows] = parsed(text);
  if (!header) throw atLine(1, [`the header row is missing: ${MAPPING_CSV_COLUMNS.join(',')}`]);
  const columns = columnsOf(header);
  if (!rows.length)
    throw validationProblem([{ field: 'body', messages: ['no mappings: the file has only its header'] }]);
  if (rows.length > MAX_MAPPINGS_PER_IMPORT) {
    const message = `at most ${MAX_MAPPINGS_PER_IMPORT} mappings per import; this file has ${rows.length}`;
    throw validationProblem([{ field: 'body', messages: [message] }]);
  }
  const mappings = rows.map(({ fields }) => {
    const value = (column: Column) => {
      const index = columns.indexOf(column);
      return index === -1 || fields[index] === '' ? undefined : fields[index];
    };
    const strength = value('strength');
    return {
      from: { framework: value('from_framework'), control: value('from_control') },
      to: { framework: value('to_framework'), control: value('to_control') },
      relationship: value('relationship'),
      // Digits become the integer the JSON body carries; anything else stays text, for the rule to refuse.
      strength: strength !== undefined && /^[0-9]+$/.test(strength) ? Number(strength) : strength,
      rationale: value('rationale'),
    };
  });
  return { body: { source, mappings }, lines: rows.map((row) => row.line) };
}

/** The body's field errors (`mappings.3.from.framework`) renamed for the file (`line 5, from_framework`). */
export function onCsvLines(problem: ValidationProblem, lines: number[]): ValidationProblem {
  return validationProblem(
    problem.errors.map((error): FieldError => {
      if (error.field === 'mappings') return { ...error, field: 'body' };
      const match = /^mappings\.(\d+)(?:\.(.+))?$/.exec(error.field);
      if (!match) return error;
      const line = lines[Number(match[1])];
      const column = match[2] === undefined ? undefined : COLUMN_OF_PATH[match[2]];
      if (!column) return { ...error, field: `line ${line}` };
      const property = match[2].split('.').pop()!;
      const messages = error.messages.map((m) =>
        m.startsWith(`${property} `) ? column + m.slice(property.length) : m,
      );
      return { field: `line ${line}, ${column}`, messages };
    }),
  );
}

function parsed(text: string): CsvRecord[] {
  try {
    return parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    throw atLine(error.line, [`character ${error.character}: ${error.message}`]);
  }
}

function columnsOf(header: CsvRecord): Column[] {
  const known = new Set<string>(MAPPING_CSV_COLUMNS);
  const messages: string[] = [];
  const seen = new Set<string>();
  for (const name of header.fields) {
    if (!known.has(name))
      messages.push(`unknown column "${name.slice(0, 64)}"; the columns are ${MAPPING_CSV_COLUMNS.join(',')}`);
    else if (seen.has(name)) messages.push(`column ${name} appears twice`);
    seen.add(name);
  }
  const missing = MAPPING_CSV_COLUMNS.filter((column) => !OPTIONAL_COLUMNS.has(column) && !seen.has(column));
  if (missing.length) messages.push(`the header lacks ${missing.join(', ')}`);
  if (messages.length) throw atLine(header.line, messages);
  return header.fields as Column[];
}

const atLine = (line: number, messages: string[]) => validationProblem([{ field: `line ${line}`, messages }]);
