import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import type { WalkRelationship } from './dto/related-controls.query.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

/** One item of a mapping file, its ends as given (framework upper case). */
export interface MappingInput {
  fromFramework: string;
  fromControl: string;
  toFramework: string;
  toControl: string;
  relationship: string;
  strength: number | null;
  rationale: string | null;
}

/** An item's ends resolved to control rows (null: no such control in that framework's catalog). */
export interface ResolvedEnds {
  fromId: string | null;
  toId: string | null;
}

export interface MappingRow {
  sourceControl: string;
  targetControl: string;
  relationship: string;
  strength: number | null;
  rationale: string | null;
}

export interface WalkRow {
  /** Controls reached (the start excluded), the same on every row. */
  total: string;
  framework: string;
  control_id: string;
  title: string;
  depth: number;
  path: {
    from: { framework: string; control: string };
    to: { framework: string; control: string };
    relationship: string;
    direction: 'forward' | 'reverse';
    source: string;
  }[];
}

/** A relationship as read from the other end of the edge: `a subset-of b` is `b superset-of a`. */
export const INVERSE: Record<WalkRelationship, WalkRelationship> = {
  equivalent: 'equivalent',
  'subset-of': 'superset-of',
  'superset-of': 'subset-of',
  'intersects-with': 'intersects-with',
  related: 'related',
};

/** Mapping edges between controls and walks over them, in Postgres, through the request's transaction. */
@QueryOwner()
@Injectable()
export class ControlGraphRepository {
  constructor(private readonly transactions: TransactionContext) {}

  private query<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    return this.transactions.manager.query(sql, parameters) as Promise<T[]>;
  }

  /** Each item's two ends by OSCAL id (or, failing that, label), in input order; one statement. */
  async resolveEnds(items: MappingInput[]): Promise<ResolvedEnds[]> {
    const ends = items.map((item) => ({
      ff: item.fromFramework,
      fc: item.fromControl,
      tf: item.toFramework,
      tc: item.toControl,
    }));
    const rows = await this.query<{ from_id: string | null; to_id: string | null }>(
      `SELECT (SELECT c.id FROM controls c WHERE c.framework = r.ff AND (c.control_id = r.fc OR c.label = r.fc)
                ORDER BY c.control_id = r.fc DESC, c.sort_order LIMIT 1) AS from_id,
              (SELECT c.id FROM controls c WHERE c.framework = r.tf AND (c.control_id = r.tc OR c.label = r.tc)
                ORDER BY c.control_id = r.tc DESC, c.sort_order LIMIT 1) AS to_id
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (ff text, fc text, tf text, tc text))
              WITH ORDINALITY AS r(ff, fc, tf, tc, n)
        ORDER BY r.n`,
      [JSON.stringify(ends)],
    );
    return rows.map((row) => ({ fromId: row.from_id, toId: row.to_id }));
  }

  /**
   * Inserts new edges of `source` and rewrites those whose strength or rationale changed, in one
   * statement; an edge given twice counts once (the last one wins).
   */
  async upsertMappings(
    source: string,
    rows: MappingRow[],
  ): Promise<{ distinct: number; inserted: number; updated: number }> {
    const json = rows.map((row) => ({
      s: row.sourceControl,
      t: row.targetControl,
      rel: row.relationship,
      strength: row.strength,
      rationale: row.rationale,
    }));
    const [result] = await this.query<{ distinct: string; inserted: string; updated: string }>(
      `WITH given AS (
         SELECT DISTINCT ON (r.s, r.t, r.rel) r.s, r.t, r.rel, r.strength, r.rationale
           FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (s bigint, t bigint, rel text, strength smallint, rationale text))
                WITH ORDINALITY AS r(s, t, rel, strength, rationale, n)
          ORDER BY r.s, r.t, r.rel, r.n DESC
       ), written AS (
         INSERT INTO control_mappings AS m (source_control, target_control, relationship, strength, rationale, source)
         SELECT s, t, rel, strength, rationale, $1 FROM given
         ON CONFLICT (source_control, target_control, relationship, source) DO UPDATE SET
           strength = excluded.strength, rationale = excluded.rationale, updated_at = now()
         WHERE (m.strength, m.rationale) IS DISTINCT FROM (excluded.strength, excluded.rationale)
         RETURNING (xmax = 0) AS inserted
       )
       SELECT (SELECT count(*) FROM given) AS distinct,
              count(*) FILTER (WHERE inserted) AS inserted,
              count(*) FILTER (WHERE NOT inserted) AS updated
         FROM written`,
      [source, JSON.stringify(json)],
    );
    return { distinct: Number(result.distinct), inserted: Number(result.inserted), updated: Number(result.updated) };
  }

  /**
   * The start control (depth 0, first row) and every control reachable from it in at most `depth`
   * edges of the given relationships, walked both ways (a reversed edge reads as its inverse).
   * One recursive CTE: a walk never revisits a control already on its path, and stops at `depth`;
   * each control is reported once, at its shortest depth, the nearest `limit` of them. No rows: the
   * start control does not exist.
   */
  async walk(
    framework: string,
    control: string,
    relationships: WalkRelationship[],
    depth: number,
    limit: number,
  ): Promise<WalkRow[]> {
    const reversed = [...new Set(relationships.map((relationship) => INVERSE[relationship]))];
    // The recursion carries edge ids only (negative: walked in reverse); the JSON path is built
    // for the rows returned, not for every walk row (a depth-2 walk from a hub has thousands).
    return this.query<WalkRow>(
      `WITH RECURSIVE walk (id, depth, visited, steps) AS (
         SELECT s.id, 0, ARRAY[s.id], ARRAY[]::bigint[]
           FROM (SELECT c.id FROM controls c
                  WHERE c.framework = $1 AND (c.control_id = $2 OR c.label = $2)
                  ORDER BY c.control_id = $2 DESC, c.sort_order LIMIT 1) s
         UNION ALL
         SELECT e.next, w.depth + 1, w.visited || e.next, w.steps || e.step
           FROM walk w
           CROSS JOIN LATERAL (
             SELECT m.target_control AS next, m.id AS step
               FROM control_mappings m
              WHERE m.source_control = w.id AND m.relationship = ANY($3::text[])
             UNION ALL
             SELECT m.source_control, -m.id
               FROM control_mappings m
              WHERE m.target_control = w.id AND m.relationship = ANY($4::text[])
           ) e
          WHERE w.depth < $5 AND e.next <> ALL(w.visited)
       ), shortest AS (
         SELECT DISTINCT ON (w.id) w.id, w.depth, w.steps FROM walk w ORDER BY w.id, w.depth, w.steps
       ), page AS (
         SELECT count(*) OVER () - 1 AS total, s.depth, s.steps, c.framework, c.control_id, c.title
           FROM shortest s JOIN controls c ON c.id = s.id
          ORDER BY s.depth, c.framework, c.control_id
          LIMIT $6 + 1
       )
       SELECT p.total, p.framework, p.control_id, p.title, p.depth,
              coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                         'from', jsonb_build_object('framework', f.framework, 'control', f.control_id),
                         'to', jsonb_build_object('framework', t.framework, 'control', t.control_id),
                         'relationship', CASE WHEN st.step > 0 THEN m.relationship
                                              WHEN m.relationship = 'subset-of' THEN 'superset-of'
                                              WHEN m.relationship = 'superset-of' THEN 'subset-of'
                                              ELSE m.relationship END,
                         'direction', CASE WHEN st.step > 0 THEN 'forward' ELSE 'reverse' END,
                         'source', m.source) ORDER BY st.n)
                  FROM unnest(p.steps) WITH ORDINALITY AS st(step, n)
                  JOIN control_mappings m ON m.id = abs(st.step)
                  JOIN controls f ON f.id = CASE WHEN st.step > 0 THEN m.source_control ELSE m.target_control END
                  JOIN controls t ON t.id = CASE WHEN st.step > 0 THEN m.target_control ELSE m.source_control END
              ), '[]'::jsonb) AS path
         FROM page p
        ORDER BY p.depth, p.framework, p.control_id`,
      [framework, control, relationships, reversed, depth, limit],
    );
  }
}
