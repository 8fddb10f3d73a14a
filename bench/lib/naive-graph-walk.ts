import type { Client } from 'pg';

/** What a related-controls answer is compared on: each reached control, its depth, and how many there were. */
export interface WalkAnswer {
  total: number;
  reached: { framework: string; control: string; depth: number }[];
  queries: number;
}

interface Edge {
  from: string;
  to: string;
  relationship: string;
  direction: 'forward' | 'reverse';
  source: string;
}

/**
 * The neighbours of `ids` both ways, an edge walked in reverse read as its inverse: what one hop of
 * the app's recursive CTE finds, as a plain statement on the same indexes.
 */
const NEIGHBOURS = `
  SELECT m.source_control AS "from", m.target_control AS "to", m.relationship, 'forward' AS direction, m.source
    FROM control_mappings m WHERE m.source_control = ANY($1::bigint[])
  UNION ALL
  SELECT m.target_control, m.source_control,
         CASE m.relationship WHEN 'subset-of' THEN 'superset-of' WHEN 'superset-of' THEN 'subset-of'
                             ELSE m.relationship END, 'reverse', m.source
    FROM control_mappings m WHERE m.target_control = ANY($1::bigint[])`;

/** The nearest `limit` reached controls with their titles, ordered as the app orders them. */
const NEAREST = `
  SELECT c.id, c.framework, c.control_id, c.title, r.depth
    FROM unnest($1::bigint[], $2::int[]) AS r(id, depth) JOIN controls c ON c.id = r.id
   ORDER BY r.depth, c.framework, c.control_id LIMIT $3`;

export type Hop = 'per-level' | 'per-node';

/**
 * The related-controls walk done in Node with plain queries: resolve the start, then breadth first,
 * one neighbours query per level (`per-level`: the whole frontier at once) or per control
 * (`per-node`), keeping each control's first edge (its shortest path), then one query for the
 * nearest `limit` with titles; the paths are rebuilt from the kept edges, as the app answers them.
 * Every relationship is followed (the route's default).
 */
export async function naiveWalk(
  client: Client,
  hop: Hop,
  start: { framework: string; control: string },
  depth: number,
  limit: number,
): Promise<WalkAnswer> {
  let queries = 1;
  const found = await client.query<{ id: string }>(`SELECT id FROM controls WHERE framework = $1 AND control_id = $2`, [
    start.framework,
    start.control,
  ]);
  const startId = found.rows[0]?.id;
  if (!startId) throw new Error(`no control ${start.framework}/${start.control}`);
  const depthOf = new Map<string, number>([[startId, 0]]);
  const reachedBy = new Map<string, Edge>();
  let frontier = [startId];
  for (let level = 1; level <= depth && frontier.length; level++) {
    const batches = hop === 'per-level' ? [frontier] : frontier.map((id) => [id]);
    const next: string[] = [];
    for (const batch of batches) {
      queries++;
      const { rows } = await client.query<Edge>(NEIGHBOURS, [batch]);
      for (const edge of rows) {
        if (depthOf.has(edge.to)) continue;
        depthOf.set(edge.to, level);
        reachedBy.set(edge.to, edge);
        next.push(edge.to);
      }
    }
    frontier = next;
  }
  depthOf.delete(startId);
  queries++;
  const nearest = await client.query<{ id: string; framework: string; control_id: string; depth: number }>(NEAREST, [
    [...depthOf.keys()],
    [...depthOf.values()],
    limit,
  ]);
  // Paths as the app returns them, so the baseline does that work too (steps name ids, not codes).
  for (const row of nearest.rows) pathTo(row.id, reachedBy);
  return {
    total: depthOf.size,
    reached: nearest.rows.map((row) => ({ framework: row.framework, control: row.control_id, depth: row.depth })),
    queries,
  };
}

function pathTo(id: string, reachedBy: Map<string, Edge>): Edge[] {
  const path: Edge[] = [];
  for (let edge = reachedBy.get(id); edge; edge = reachedBy.get(edge.from)) path.unshift(edge);
  return path;
}
