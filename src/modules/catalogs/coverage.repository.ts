import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { OLIR_RELATIONSHIPS } from './dto/import-mappings.body.js';
import type { CoverageLevel } from './dto/coverage.query.js';
import type { MappingStep } from './dto/related-controls.response.js';
import { INVERSE } from './control-graph.repository.js';
import { isoTimestampSql, pathEdgeSql, runGraphQuery, recordControlSql, stepJsonSql } from './graph-sql.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

/** Edges that carry coverage, as read from the record's control toward the target control. */
const COVERING = ['equivalent', 'superset-of'] as const;

/**
 * forward: the walk starts at the controls of the entity's passed records and ends at the target
 * controls (a whole catalog). backward: it starts at the one target control and ends at those
 * records' controls, so asking about one control costs one walk from it.
 */
export type CoverageWalk = 'forward' | 'backward';

export interface CoverageRequest {
  entityId: string;
  framework: string;
  /** One control of the catalog (row id), or all of them. */
  control: string | null;
  depth: number;
  walk: CoverageWalk;
  /** Records kept per control: the evidence listed, and one more. */
  perControl: number;
  listed: CoverageLevel[];
  offset: number;
  limit: number;
}

export interface CoverageEvidenceRow {
  record: { id: string; framework: string; control: string; status: string; assessedAt: string };
  path: MappingStep[];
}

/** One listed control; the counts are over every control answered for, on every row. */
export interface CoverageRow {
  covered: string;
  partial: string;
  not_covered: string;
  listed: string;
  /** null on the only row when the page is past the end. */
  control_id: string | null;
  label: string | null;
  title: string;
  coverage: CoverageLevel;
  /** Nearest first, at most `perControl`; null when not covered. */
  evidence: CoverageEvidenceRow[] | null;
  /** The entity's latest record on the control itself, when it failed. */
  failed: string | null;
  /** Whether records on mapped controls would cover it (at least partly) but for that failure. */
  outweighed: boolean;
}

/** Coverage of a catalog's controls by an entity's records through the mapping graph, in Postgres. */
@QueryOwner()
@Injectable()
export class CoverageRepository {
  constructor(private readonly transactions: TransactionContext) {}

  /** Whether the framework has a catalog and, when asked for, the control (OSCAL id, else label). */
  async target(framework: string, control: string | null): Promise<{ catalog: boolean; control: string | null }> {
    const [row] = (await this.transactions.manager.query(
      `SELECT EXISTS (SELECT 1 FROM control_catalogs WHERE framework = $1) AS catalog,
              (SELECT c.id FROM controls c WHERE c.framework = $1 AND (c.control_id = $2 OR c.label = $2)
                ORDER BY c.control_id = $2 DESC, c.sort_order LIMIT 1) AS control`,
      [framework, control],
    )) as { catalog: boolean; control: string | null }[];
    return row;
  }

  /**
   * One statement. The entity's assessment of a control is its latest record naming it. Walks
   * follow OLIR edges only (`related` never gives coverage), both ways, at most `depth` edges,
   * never revisiting a control on their path, and carry whether every edge so far covers. Per
   * level, for each control and (covering, partial), only the `perControl` best origins go on
   * (newest assessment first): a control's nearest `perControl` records can only come through its
   * neighbours' nearest ones, so the work is bounded by controls × perControl × degree however many
   * records the entity has. Paths and evidence are built for the page only.
   */
  coverage(request: CoverageRequest): Promise<CoverageRow[]> {
    const inverse = COVERING.map((relationship) => INVERSE[relationship]);
    const [forwardCovering, reverseCovering] = request.walk === 'forward' ? [COVERING, inverse] : [inverse, COVERING];
    return runGraphQuery<CoverageRow>(
      this.transactions,
      `WITH RECURSIVE latest AS MATERIALIZED (
         SELECT DISTINCT ON (c.id) c.id AS control, c.control_id, r.id AS record, r.framework, r.status, r.assessed_at
           FROM compliance_records r CROSS JOIN LATERAL ${recordControlSql('r')} c
          WHERE r.entity_id = $1 AND r.deleted_at IS NULL
          ORDER BY c.id, r.assessed_at DESC, r.created_at DESC, r.id
       ), passed AS MATERIALIZED (
         SELECT *, row_number() OVER (ORDER BY assessed_at DESC, record) AS rank FROM latest WHERE status = 'passed'
       ), targets AS MATERIALIZED (
         SELECT id FROM controls WHERE framework = $2 AND ($3::bigint IS NULL OR id = $3::bigint)
       ), starts AS MATERIALIZED (
         SELECT control AS id, rank FROM passed WHERE $5 = 'forward'
         UNION ALL SELECT id, 0 FROM targets WHERE $5 = 'backward'
       ), ends AS MATERIALIZED (
         SELECT control AS id FROM passed WHERE $5 = 'backward'
         UNION ALL SELECT id FROM targets WHERE $5 = 'forward'
       ), end_edges AS MATERIALIZED (
         SELECT m.source_control AS here, m.target_control AS next, m.relationship = ANY ($6::text[]) AS covering
           FROM ends e JOIN control_mappings m ON m.target_control = e.id AND m.relationship = ANY ($9::text[])
         UNION ALL
         SELECT m.target_control, m.source_control, m.relationship = ANY ($7::text[])
           FROM ends e JOIN control_mappings m ON m.source_control = e.id AND m.relationship = ANY ($9::text[])
       ), walk (origin, rank, node, depth, covering, visited) AS (
         SELECT id, rank, id, 0, true, ARRAY[id] FROM starts
         UNION ALL
         SELECT origin, rank, node, depth, covering, visited FROM (
           SELECT s.*, row_number() OVER (PARTITION BY s.node, s.covering ORDER BY s.rank, s.origin) AS place
             FROM (
               SELECT c.*, row_number() OVER (PARTITION BY c.node, c.origin ORDER BY c.covering DESC, c.via) AS n
                 FROM (
                   SELECT w.origin, w.rank, e.next AS node, w.depth + 1 AS depth,
                          w.covering AND e.covering AS covering, w.visited || e.next AS visited, w.node AS via
                     FROM walk w
                     CROSS JOIN LATERAL (
                       SELECT m.target_control AS next, m.relationship = ANY ($6::text[]) AS covering
                         FROM control_mappings m
                        WHERE m.source_control = w.node AND m.relationship = ANY ($9::text[])
                       UNION ALL
                       SELECT m.source_control, m.relationship = ANY ($7::text[])
                         FROM control_mappings m
                        WHERE m.target_control = w.node AND m.relationship = ANY ($9::text[])
                     ) e
                    WHERE w.depth < $4 - CASE WHEN $13::boolean THEN 1 ELSE 0 END AND e.next <> ALL (w.visited)
                      AND ($13::boolean OR w.depth + 1 < $4 OR e.next IN (SELECT id FROM ends))
                 ) c
             ) s
            WHERE s.n = 1
         ) p
         WHERE p.place <= $8
       ), early AS MATERIALIZED (
         SELECT origin, node, covering, depth, visited FROM walk WHERE node IN (SELECT id FROM ends)
       ), settled AS MATERIALIZED (
         -- Targets covered before the last edge: it can only add covering records, and none to a full one.
         SELECT CASE WHEN $5 = 'forward' THEN node ELSE origin END AS target,
                count(DISTINCT CASE WHEN $5 = 'forward' THEN origin ELSE node END) >= $8 AS full
           FROM early WHERE covering
          GROUP BY 1
       ), arrived AS (
         SELECT * FROM early
         UNION ALL
         SELECT w.origin, t.next, w.covering AND t.covering, w.depth + 1, w.visited || t.next
           FROM walk w
           JOIN end_edges t ON t.here = w.node
           LEFT JOIN settled d ON d.target = CASE WHEN $5 = 'forward' THEN t.next ELSE w.origin END
          WHERE $13::boolean AND w.depth = $4 - 1 AND t.next <> ALL (w.visited)
            AND (d.target IS NULL OR NOT d.full AND w.covering AND t.covering)
       ), reached AS (
         SELECT DISTINCT ON (a.origin, a.node)
                CASE WHEN $5 = 'forward' THEN a.origin ELSE a.node END AS source,
                CASE WHEN $5 = 'forward' THEN a.node ELSE a.origin END AS target,
                a.covering, a.depth, a.visited
           FROM arrived a
          ORDER BY a.origin, a.node, a.covering DESC, a.depth, a.visited
       ), kept AS (
         SELECT * FROM (
           SELECT r.*, p.record, p.framework, p.control_id, p.status, p.assessed_at,
                  row_number() OVER (PARTITION BY r.target ORDER BY r.covering DESC, r.depth, p.rank) AS n,
                  bool_or(r.covering) OVER (PARTITION BY r.target) AS covered
             FROM reached r JOIN passed p ON p.control = r.source
         ) ranked
          WHERE n <= $8 AND covering = covered
       ), classified AS (
         SELECT c.id, c.control_id, c.label, c.title, c.sort_order, f.record AS failed, b.covered,
                CASE WHEN f.record IS NOT NULL OR b.covered IS NULL THEN 'not-covered'
                     WHEN b.covered THEN 'covered' ELSE 'partial' END AS coverage
           FROM targets g
           JOIN controls c ON c.id = g.id
           LEFT JOIN (SELECT target, covered FROM kept WHERE n = 1) b ON b.target = g.id
           LEFT JOIN (SELECT control, record FROM latest WHERE status = 'failed') f ON f.control = g.id
       ), summary AS (
         SELECT count(*) FILTER (WHERE coverage = 'covered') AS covered,
                count(*) FILTER (WHERE coverage = 'partial') AS partial,
                count(*) FILTER (WHERE coverage = 'not-covered') AS not_covered,
                count(*) FILTER (WHERE coverage = ANY ($10::text[])) AS listed
           FROM classified
       ), page AS (
         SELECT * FROM classified WHERE coverage = ANY ($10::text[])
          ORDER BY sort_order, control_id OFFSET $11 LIMIT $12
       ), shown AS (
         SELECT k.* FROM kept k JOIN page g ON g.id = k.target WHERE g.coverage <> 'not-covered'
       ), steps AS (
         SELECT k.target, k.source, s.i, ${stepJsonSql('f', 't', 'e')} AS step
           FROM shown k
           CROSS JOIN LATERAL (
             SELECT i, CASE WHEN $5 = 'forward' THEN k.visited[i] ELSE k.visited[k.depth + 2 - i] END AS a,
                       CASE WHEN $5 = 'forward' THEN k.visited[i + 1] ELSE k.visited[k.depth + 1 - i] END AS b
               FROM generate_series(1, k.depth) i
           ) s
           CROSS JOIN LATERAL ${pathEdgeSql('s.a', 's.b', '$9::text[]')} e
           JOIN controls f ON f.id = s.a
           JOIN controls t ON t.id = s.b
       ), paths AS (
         SELECT target, source, jsonb_agg(step ORDER BY i) AS path FROM steps GROUP BY target, source
       ), evidence AS (
         SELECT k.target,
                jsonb_agg(jsonb_build_object(
                  'record', jsonb_build_object('id', k.record, 'framework', k.framework, 'control', k.control_id,
                                               'status', k.status, 'assessedAt', ${isoTimestampSql('k.assessed_at')}),
                  'path', COALESCE(p.path, '[]'::jsonb)) ORDER BY k.n) AS items
           FROM shown k
           LEFT JOIN paths p ON p.target = k.target AND p.source = k.source
          GROUP BY k.target
       )
       SELECT s.covered, s.partial, s.not_covered, s.listed, g.control_id, g.label, g.title, g.coverage,
              ev.items AS evidence, g.failed, g.covered IS NOT NULL AS outweighed
         FROM summary s
         LEFT JOIN page g ON true
         LEFT JOIN evidence ev ON ev.target = g.id
        ORDER BY g.sort_order, g.control_id`,
      [
        request.entityId,
        request.framework,
        request.control,
        request.depth,
        request.walk,
        forwardCovering,
        reverseCovering,
        request.perControl,
        [...OLIR_RELATIONSHIPS],
        request.listed,
        request.offset,
        request.limit,
        joinLastEdge(request),
      ],
    );
  }
}

/**
 * Whether the last edge is a hash join with the edges that touch an end control (read once)
 * rather than a read of every edge of the frontier: worth it once the frontier is wide, from the
 * second level of a walk from many records, from the third of a walk from one control.
 */
const joinLastEdge = (request: CoverageRequest) => request.depth >= (request.walk === 'forward' ? 2 : 3);
