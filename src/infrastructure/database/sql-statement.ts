/** The `operation` label of db_query_duration_seconds: a fixed set, whatever the SQL. */
export const QUERY_OPERATIONS = ['select', 'insert', 'update', 'delete', 'transaction', 'other'] as const;
export type QueryOperation = (typeof QUERY_OPERATIONS)[number];

export interface StatementKind {
  /** The statement's verb as SQL spells it (`SELECT`, `COMMIT`, `SET`…), for span names. */
  keyword: string;
  operation: QueryOperation;
}

const DML = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
const TRANSACTION = new Set(['BEGIN', 'START', 'COMMIT', 'END', 'ROLLBACK', 'ABORT', 'SAVEPOINT', 'RELEASE']);

/**
 * String and dollar-quoted literals, numbers, comments and quoted identifiers, in one pass so that
 * none is read inside another. `$1` placeholders are no literal: the lookbehind spares them.
 */
const TOKENS =
  /'(?:[^']|'')*'|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"]|"")*"|(?<![\w$.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * Statement text fit for a span: every literal becomes `?` and comments go, so only the SQL the
 * code wrote (with its `$n` placeholders) remains, never a value, even one inlined by mistake.
 */
export function sanitizeStatement(text: string): string {
  return text.replace(TOKENS, (token) =>
    token.startsWith('"') ? token : token.startsWith('-') || token.startsWith('/*') ? '' : '?',
  );
}

/** Verb and operation of a statement; a `WITH` counts as the statement its CTEs lead to. */
export function classifyStatement(sanitized: string): StatementKind {
  const keyword = /^[\s(]*([A-Za-z]+)/.exec(sanitized)?.[1]?.toUpperCase() ?? 'OTHER';
  const verb = keyword === 'WITH' ? (mainVerbOfWith(sanitized) ?? keyword) : keyword;
  const operation = DML.has(verb)
    ? (verb.toLowerCase() as QueryOperation)
    : TRANSACTION.has(verb)
      ? 'transaction'
      : 'other';
  return { keyword: verb, operation };
}

/** The first SELECT/INSERT/UPDATE/DELETE outside every parenthesis: the CTEs sit inside theirs. */
function mainVerbOfWith(sanitized: string): string | undefined {
  let depth = 0;
  for (const [token] of sanitized.matchAll(/[()]|\b(?:SELECT|INSERT|UPDATE|DELETE)\b/gi)) {
    if (token === '(') depth++;
    else if (token === ')') depth--;
    else if (depth === 0) return token.toUpperCase();
  }
  return undefined;
}
