import {
  classifyStatement,
  QUERY_OPERATIONS,
  sanitizeStatement,
} from '../../../src/infrastructure/database/sql-statement';

describe('sanitizeStatement', () => {
  it('keeps the SQL and its $n placeholders and turns every literal into ?', () => {
    expect(sanitizeStatement(`SELECT * FROM users WHERE email = 'a@b.c' AND id = $1 AND n > 42 AND x = 1.5e3`)).toBe(
      'SELECT * FROM users WHERE email = ? AND id = $1 AND n > ? AND x = ?',
    );
  });

  it('replaces quoted and dollar-quoted strings whole, including quotes and keywords inside them', () => {
    expect(sanitizeStatement(`SELECT 'it''s -- not a comment', $$ DELETE 'x' $$, $body$ 7 $body$`)).toBe(
      'SELECT ?, ?, ?',
    );
  });

  it('drops comments, which may hold anything, and keeps quoted identifiers and names with digits', () => {
    expect(sanitizeStatement(`SELECT "col 1", t2.c3::int4 -- user 42\nFROM t2 /* secret */`)).toBe(
      'SELECT "col 1", t2.c3::int4 \nFROM t2 ',
    );
  });
});

describe('classifyStatement', () => {
  it.each([
    ['SELECT 1', 'SELECT', 'select'],
    ['  (SELECT 1) UNION (SELECT 2)', 'SELECT', 'select'],
    ['insert into t values ($1)', 'INSERT', 'insert'],
    ['UPDATE t SET a = $1', 'UPDATE', 'update'],
    ['DELETE FROM t', 'DELETE', 'delete'],
    ['START TRANSACTION', 'START', 'transaction'],
    ['COMMIT', 'COMMIT', 'transaction'],
    ['ROLLBACK TO SAVEPOINT typeorm_1', 'ROLLBACK', 'transaction'],
    ['SET LOCAL statement_timeout = ?', 'SET', 'other'],
    ['WITH inserted AS (INSERT INTO a SELECT * FROM unnest($1::text[])) UPDATE heads SET seq = $2', 'UPDATE', 'update'],
    ['WITH RECURSIVE walk AS (SELECT 1 UNION ALL SELECT n FROM walk) SELECT * FROM walk', 'SELECT', 'select'],
    ['WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone', 'SELECT', 'select'],
    ['', 'OTHER', 'other'],
  ])('%p is %s (%s)', (sql, keyword, operation) => {
    expect(classifyStatement(sanitizeStatement(sql))).toEqual({ keyword, operation });
  });

  it('only ever answers one of the fixed operations', () => {
    for (const sql of ['VACUUM', 'LOCK TABLE t', 'DO ? ', 'COPY t FROM STDIN', 'MERGE INTO t USING s ON true']) {
      expect(QUERY_OPERATIONS).toContain(classifyStatement(sanitizeStatement(sql)).operation);
    }
  });
});
