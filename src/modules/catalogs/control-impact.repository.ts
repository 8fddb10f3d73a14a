import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { OLIR_RELATIONSHIPS } from './dto/import-mappings.body.js';
import type { EvidenceRecord } from './dto/coverage.response.js';
import type { ControlSummary, RelatedControl } from './dto/related-controls.response.js';
import { isoTimestampSql, pathEdgeSql, runGraphQuery, recordControlSql, stepJsonSql } from './graph-sql.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

export interface ImpactRow {
  /** null: the framework has no catalog, or its catalog no such control. */
  start: ControlSummary | null;
  control_count: string;
  /** The nearest reached controls (at most the limit asked), with their paths. */
  controls: (RelatedControl & { framework: string })[];
  frameworks: { framework: string; controls: number; entities: number }[];
  entity_count: string;
  entities: { entityId: string; records: EvidenceRecord[] }[];
}

/** What a control's failure reaches through the mapping graph, and whose records sit there. */
@QueryOwner()
@Injectable()
export class ControlImpactRepository {
  constructor(private readonly transactions: TransactionContext) {}

  /**
   * One statement. The walk follows OLIR edges both ways, at most `depth` edges, never revisiting
   * a control on its path; per level each control is kept once (a breadth-first walk from one
   * start needs no more), so a level costs at most one read of each control's edges. The records
   * are each entity's latest on the start control and on every control reached.
   */
  async impact(
    framework: string,
    control: string,
    depth: number,
    controlLimit: number,
    entityLimit: number,
  ): Promise<ImpactRow> {
    const [row] = await runGraphQuery<ImpactRow>(
      this.transactions,
      `WITH RECURSIVE start AS (
         SELECT c.id FROM controls c
          WHERE c.framework = $1 AND (c.control_id = $2 OR c.label = $2)
          ORDER BY c.control_id = $2 DESC, c.sort_order LIMIT 1
       ), walk (node, depth, visited) AS (
         SELECT id, 0, ARRAY[id] FROM start
         UNION ALL
         SELECT node, depth, visited FROM (
           SELECT e.next AS node, w.depth + 1 AS depth, w.visited || e.next AS visited,
                  row_number() OVER (PARTITION BY e.next ORDER BY w.node) AS n
             FROM walk w
             CROSS JOIN LATERAL (
               SELECT m.target_control AS next FROM control_mappings m
                WHERE m.source_control = w.node AND m.relationship = ANY ($3::text[])
               UNION ALL
               SELECT m.source_control FROM control_mappings m
                WHERE m.target_control = w.node AND m.relationship = ANY ($3::text[])
             ) e
            WHERE w.depth < $4 AND e.next <> ALL (w.visited)
         ) x
         WHERE x.n = 1
       ), hit AS MATERIALIZED (
         SELECT DISTINCT ON (w.node) c.id, c.framework, c.control_id, c.label, c.title, w.depth, w.visited
           FROM walk w JOIN controls c ON c.id = w.node
          ORDER BY w.node, w.depth, w.visited
       ), listed AS (
         SELECT * FROM hit WHERE depth > 0 ORDER BY depth, framework, control_id LIMIT $5
       ), steps AS (
         SELECT h.id, s.i, ${stepJsonSql('f', 't', 'e')} AS step
           FROM listed h
           CROSS JOIN LATERAL (SELECT i, h.visited[i] AS a, h.visited[i + 1] AS b FROM generate_series(1, h.depth) i) s
           CROSS JOIN LATERAL ${pathEdgeSql('s.a', 's.b', '$3::text[]')} e
           JOIN controls f ON f.id = s.a
           JOIN controls t ON t.id = s.b
       ), paths AS (
         SELECT id, jsonb_agg(step ORDER BY i) AS path FROM steps GROUP BY id
       ), records AS MATERIALIZED (
         -- Driven from each control reached: its records by OSCAL id or label, kept where they resolve to it.
         SELECT DISTINCT ON (r.entity_id, h.id) r.entity_id, h.framework, h.control_id, h.depth,
                r.id, r.status, r.assessed_at
           FROM hit h
           CROSS JOIN LATERAL (
             SELECT r.* FROM compliance_records r
              WHERE r.framework = h.framework AND r.control_id IN (h.control_id, h.label) AND r.deleted_at IS NULL
             OFFSET 0 -- keeps it a lookup in idx_compliance_records_framework_control_id per control
           ) r
           CROSS JOIN LATERAL ${recordControlSql('r')} c
          WHERE c.id = h.id
          ORDER BY r.entity_id, h.id, r.assessed_at DESC, r.created_at DESC, r.id
       ), page AS (
         SELECT DISTINCT entity_id FROM records ORDER BY entity_id LIMIT $6
       ), entity_records AS (
         SELECT r.entity_id, jsonb_agg(jsonb_build_object(
                  'id', r.id, 'framework', r.framework, 'control', r.control_id, 'status', r.status,
                  'assessedAt', ${isoTimestampSql('r.assessed_at')}) ORDER BY r.depth, r.framework, r.control_id) AS records
           FROM records r WHERE r.entity_id IN (SELECT entity_id FROM page)
          GROUP BY r.entity_id
       )
       SELECT (SELECT jsonb_build_object('framework', framework, 'control', control_id, 'title', title)
                 FROM hit WHERE depth = 0) AS start,
              (SELECT count(*) FROM hit WHERE depth > 0) AS control_count,
              (SELECT COALESCE(jsonb_agg(jsonb_build_object(
                        'framework', h.framework, 'control', h.control_id, 'title', h.title, 'depth', h.depth,
                        'path', p.path) ORDER BY h.depth, h.framework, h.control_id), '[]'::jsonb)
                 FROM listed h JOIN paths p ON p.id = h.id) AS controls,
              (SELECT COALESCE(jsonb_agg(jsonb_build_object('framework', framework, 'controls', controls,
                                                            'entities', entities) ORDER BY framework), '[]'::jsonb)
                 FROM (SELECT h.framework, h.controls, COALESCE(r.entities, 0) AS entities
                         FROM (SELECT framework, count(*) AS controls FROM hit WHERE depth > 0 GROUP BY framework) h
                         LEFT JOIN (SELECT framework, count(DISTINCT entity_id) AS entities FROM records
                                     WHERE depth > 0 GROUP BY framework) r ON r.framework = h.framework) g) AS frameworks,
              (SELECT count(DISTINCT entity_id) FROM records) AS entity_count,
              (SELECT COALESCE(jsonb_agg(jsonb_build_object('entityId', entity_id, 'records', records)
                                         ORDER BY entity_id), '[]'::jsonb)
                 FROM entity_records) AS entities`,
      [framework, control, [...OLIR_RELATIONSHIPS], depth, controlLimit, entityLimit],
    );
    return row;
  }
}
