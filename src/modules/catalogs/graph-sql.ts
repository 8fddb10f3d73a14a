import type { TransactionContext } from '../../infrastructure/database/transaction-context.js';

/*
 * SQL fragments shared by the graph queries (coverage, impact), so records resolve to controls and
 * paths read their edges the same way everywhere. Arguments are column references or parameter
 * placeholders written by the repositories, never input.
 */

/**
 * The control a record (alias `record`) names: the control of its framework with that OSCAL id,
 * else the first in catalog order with that label; as records are checked against catalogs.
 */
export const recordControlSql = (record: string) => `(
  SELECT c.id, c.control_id FROM controls c
   WHERE c.framework = ${record}.framework AND (c.control_id = ${record}.control_id OR c.label = ${record}.control_id)
   ORDER BY c.control_id = ${record}.control_id DESC, c.sort_order LIMIT 1)`;

/** A stored relationship as read from its target: `a subset-of b` is `b superset-of a`. */
export const inverseSql = (relationship: string) =>
  `CASE ${relationship} WHEN 'subset-of' THEN 'superset-of' WHEN 'superset-of' THEN 'subset-of' ELSE ${relationship} END`;

/**
 * The edge a path uses between consecutive controls `a` and `b` (of those with a relationship in
 * `relationships`), read from `a`: one that covers (`a` equivalent or superset-of `b`) first, then
 * by relationship, direction and source, so a path reads the same on every call.
 */
export const pathEdgeSql = (a: string, b: string, relationships: string) => `(
  SELECT x.relationship, x.direction, x.source FROM (
    SELECT m.relationship, 'forward' AS direction, m.source FROM control_mappings m
     WHERE m.source_control = ${a} AND m.target_control = ${b} AND m.relationship = ANY (${relationships})
    UNION ALL
    SELECT ${inverseSql('m.relationship')}, 'reverse', m.source FROM control_mappings m
     WHERE m.source_control = ${b} AND m.target_control = ${a} AND m.relationship = ANY (${relationships})
  ) x
  ORDER BY x.relationship IN ('equivalent', 'superset-of') DESC, x.relationship, x.direction, x.source LIMIT 1)`;

/** One step of a path as the API shows it (`MappingStep`), from controls `f` and `t` and edge `e`. */
export const stepJsonSql = (f: string, t: string, e: string) => `jsonb_build_object(
  'from', jsonb_build_object('framework', ${f}.framework, 'control', ${f}.control_id),
  'to', jsonb_build_object('framework', ${t}.framework, 'control', ${t}.control_id),
  'relationship', ${e}.relationship, 'direction', ${e}.direction, 'source', ${e}.source)`;

/** A timestamptz as the API writes instants (`toISOString()`: UTC, milliseconds, `Z`). */
export const isoTimestampSql = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Runs a graph query in a transaction (the caller's, or its own) without nested-loop joins and
 * without JIT, then restores both. The planner cannot estimate a recursive CTE (it guesses a few
 * rows) and would join such CTEs by nested loops over CTE scans, quadratic on a large walk; lookups
 * that must use an index are LATERAL subqueries, which stay nested loops whatever the setting.
 * The penalty on the paths it refuses inflates the plan's cost past `jit_above_cost`, and
 * compiling a statement this size takes seconds.
 */
export function runGraphQuery<T>(transactions: TransactionContext, sql: string, parameters: unknown[]): Promise<T[]> {
  return transactions.run(async (manager) => {
    const [previous] = (await manager.query(
      `SELECT current_setting('enable_nestloop') AS nestloop, current_setting('jit') AS jit,
              set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)`,
    )) as { nestloop: string; jit: string }[];
    const rows = (await manager.query(sql, parameters)) as T[];
    // On an error the transaction is aborted and takes the settings with it.
    await manager.query(`SELECT set_config('enable_nestloop', $1, true), set_config('jit', $2, true)`, [
      previous.nestloop,
      previous.jit,
    ]);
    return rows;
  });
}
