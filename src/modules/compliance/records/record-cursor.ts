import { ValidationProblem } from '../../../common/problem.js';
import { decodeCursorJson, encodeCursorJson, parsePostgresTimestamp } from '../../../common/scalars.js';
import type { SortField } from './dto/list-records.query.js';

/** Position after the last row of a page: the sort key (as Postgres text) and the id as tie-breaker. */
export interface RecordCursor {
  sort: SortField;
  order: 'asc' | 'desc';
  value: string;
  id: string;
}

const SCORE = /^\d{1,3}(\.\d{1,2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(cursor: RecordCursor): string {
  return encodeCursorJson([cursor.sort, cursor.order, cursor.value, cursor.id]);
}

/** A score as Postgres prints numeric(5, 2), within the column's range. */
const isScoreText = (value: string) => SCORE.test(value) && Number(value) <= 100;

/**
 * Rejects cursors that are malformed, hold a value their column cannot (an impossible timestamp,
 * a score over 100) or belong to another sort order: 400, never a 500.
 */
export function decodeCursor(raw: string, sort: SortField, order: 'asc' | 'desc'): RecordCursor {
  const parsed = decodeCursorJson(raw);
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    !parsed.every((part) => typeof part === 'string') ||
    !UUID.test(parsed[3]) ||
    parsed[2].length > 64
  ) {
    throw invalid('cursor is not a cursor returned by this API');
  }
  if (parsed[0] !== sort || parsed[1] !== order) throw invalid('cursor belongs to a different sort or order');
  if (!(sort === 'score' ? isScoreText(parsed[2]) : parsePostgresTimestamp(parsed[2]) !== undefined)) {
    throw invalid('cursor is not a cursor returned by this API');
  }
  return { sort, order, value: parsed[2], id: parsed[3] };
}

function invalid(message: string): ValidationProblem {
  return new ValidationProblem([{ field: 'cursor', messages: [message] }], message);
}
