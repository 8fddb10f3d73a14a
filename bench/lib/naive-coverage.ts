import type { Client } from 'pg';

/** Per target control: its coverage and the record ids of its evidence, nearest first. */
export type CoverageAnswer = Map<string, { coverage: 'covered' | 'partial' | 'not-covered'; evidence: string[] }>;

interface Latest {
  control: string;
  record: string;
  framework: string;
  control_id: string;
  status: string;
  assessed_at: Date;
  rank: string;
}

interface Step {
  from: string;
  to: string;
  relationship: string;
  direction: string;
  source: string;
}

interface Row {
  origin: string;
  rank: number;
  node: string;
  depth: number;
  covering: boolean;
  visited: string[];
  steps: Step[];
}

interface Target {
  id: string;
  control_id: string;
  label: string | null;
  title: string;
}

const OLIR = ['equivalent', 'subset-of', 'superset-of', 'intersects-with'];
const SHOWN = 5;

/**
 * The entity's latest record per control (by OSCAL id: the synthetic records use no labels), the
 * passed ones ranked newest first, as the app ranks them.
 */
const LATEST = `
  WITH latest AS (
    SELECT DISTINCT ON (c.id) c.id AS control, r.id AS record, r.framework, c.control_id, r.status, r.assessed_at
      FROM compliance_records r JOIN controls c ON c.framework = r.framework AND c.control_id = r.control_id
     WHERE r.entity_id = $1 AND r.deleted_at IS NULL
     ORDER BY c.id, r.assessed_at DESC, r.created_at DESC, r.id)
  SELECT *, row_number() OVER (PARTITION BY status = 'passed' ORDER BY assessed_at DESC, record) AS rank
    FROM latest`;

/**
 * OLIR edges of `ids` both ways, read from the walking side (`covering`: equivalent or
 * superset-of as read); on the last level only those ending in framework `$2`.
 */
const NEIGHBOURS = `
  SELECT e.*, e.relationship IN ('equivalent', 'superset-of') AS covering FROM (
    SELECT m.source_control AS node, m.target_control AS next, m.relationship, 'forward' AS direction, m.source
      FROM control_mappings m WHERE m.source_control = ANY($1::bigint[]) AND m.relationship = ANY($3::text[])
    UNION ALL
    SELECT m.target_control, m.source_control,
           CASE m.relationship WHEN 'subset-of' THEN 'superset-of' WHEN 'superset-of' THEN 'subset-of'
                               ELSE m.relationship END, 'reverse', m.source
      FROM control_mappings m WHERE m.target_control = ANY($1::bigint[]) AND m.relationship = ANY($3::text[])
  ) e
  WHERE $2::text IS NULL OR EXISTS (SELECT 1 FROM controls t WHERE t.id = e.next AND t.framework = $2)`;

const byRank = (a: Row, b: Row) => a.rank - b.rank || Number(a.origin) - Number(b.origin);

/**
 * Coverage of `framework`'s controls by the entity's records, done in Node with one query per
 * level: the same walk as the app's statement (from the passed records' controls, OLIR edges,
 * both ways, no revisit, per level at most `perControl` origins per control and covering flag,
 * best rank first), then per target the nearest `perControl` origins of its best kind; the answer
 * is rendered as the app's JSON (evidence records with their paths) and serialised.
 */
export async function naiveCoverage(
  client: Client,
  entityId: string,
  framework: string,
  depth: number,
  perControl: number,
  page: number,
): Promise<{ answer: CoverageAnswer; bytes: number; queries: number }> {
  const latest = (await client.query<Latest>(LATEST, [entityId])).rows;
  const targets = (
    await client.query<Target>(
      `SELECT id, control_id, label, title FROM controls WHERE framework = $1 ORDER BY sort_order, control_id`,
      [framework],
    )
  ).rows;
  let frontier: Row[] = latest
    .filter((row) => row.status === 'passed')
    .map((row) => ({
      origin: row.control,
      rank: Number(row.rank),
      node: row.control,
      depth: 0,
      covering: true,
      visited: [row.control],
      steps: [],
    }));
  let walked = frontier;
  let queries = 2;
  for (let level = 1; level <= depth && frontier.length; level++) {
    const nodes = [...new Set(frontier.map((row) => row.node))];
    const { rows: edges } = await client.query<Edge>(NEIGHBOURS, [nodes, level === depth ? framework : null, OLIR]);
    queries++;
    frontier = step(
      frontier,
      groupBy(edges, (edge) => edge.node),
      level,
      perControl,
    );
    walked = walked.concat(frontier);
  }
  const judged = judge(latest, targets, walked, perControl);
  const bytes = await render(client, { framework, entityId, depth }, latest, judged, page);
  queries++;
  const recordOf = new Map(latest.map((row) => [row.control, row.record]));
  const answer: CoverageAnswer = new Map(
    [...judged].map(([id, { coverage, kept }]) => [
      id,
      { coverage, evidence: kept.map((row) => recordOf.get(row.origin) as string) },
    ]),
  );
  return { answer, bytes, queries };
}

type Edge = Step & { node: string; next: string; covering: boolean };

/**
 * One level of the walk. Per (control, origin) the covering walk, else the one via the lowest id;
 * then per (control, covering) the best-ranked `perControl`. Rows are built for the kept only.
 */
function step(frontier: Row[], from: Map<string, Edge[]>, level: number, perControl: number): Row[] {
  const best = new Map<string, Map<string, { parent: Row; edge: Edge; covering: boolean; via: number }>>();
  for (const parent of frontier) {
    const via = Number(parent.node);
    for (const edge of from.get(parent.node) ?? []) {
      if (parent.visited.includes(edge.next)) continue;
      const covering = parent.covering && edge.covering;
      let byOrigin = best.get(edge.next);
      if (!byOrigin) best.set(edge.next, (byOrigin = new Map()));
      const kept = byOrigin.get(parent.origin);
      if (!kept || (covering && !kept.covering) || (covering === kept.covering && via < kept.via))
        byOrigin.set(parent.origin, { parent, edge, covering, via });
    }
  }
  const next: Row[] = [];
  for (const [node, byOrigin] of best) {
    for (const covering of [true, false]) {
      const chosen = [...byOrigin.values()]
        .filter((candidate) => candidate.covering === covering)
        .sort((a, b) => byRank(a.parent, b.parent))
        .slice(0, perControl);
      for (const { parent, edge } of chosen) {
        const { relationship, direction, source } = edge;
        next.push({
          origin: parent.origin,
          rank: parent.rank,
          node,
          depth: level,
          covering,
          visited: [...parent.visited, node],
          steps: [...parent.steps, { from: parent.node, to: node, relationship, direction, source }],
        });
      }
    }
  }
  return next;
}

type Judged = Map<string, { target: Target; coverage: 'covered' | 'partial' | 'not-covered'; kept: Row[] }>;

function judge(latest: Latest[], targets: Target[], walked: Row[], perControl: number): Judged {
  const statusOf = new Map(latest.map((row) => [row.control, row.status]));
  const isTarget = new Set(targets.map((target) => target.id));
  // Per (origin, target) the best walk: covering first, then the shortest, then the lowest path.
  const reached = new Map<string, Row>();
  for (const row of walked) {
    if (!isTarget.has(row.node)) continue;
    const key = `${row.origin}:${row.node}`;
    const kept = reached.get(key);
    if (!kept || better(row, kept)) reached.set(key, row);
  }
  const byTarget = groupBy([...reached.values()], (row) => row.node);
  const judged: Judged = new Map();
  for (const target of targets) {
    const found = byTarget.get(target.id) ?? [];
    const covered = found.some((row) => row.covering);
    const kept = found
      .filter((row) => row.covering === covered)
      .sort((a, b) => a.depth - b.depth || a.rank - b.rank)
      .slice(0, perControl);
    const failed = statusOf.get(target.id) === 'failed';
    const coverage = failed || !kept.length ? 'not-covered' : covered ? 'covered' : 'partial';
    judged.set(target.id, { target, coverage, kept: coverage === 'not-covered' ? [] : kept });
  }
  return judged;
}

/**
 * The answer as the app's JSON: the summary over every target and the first `page` of them with
 * their evidence and paths (one query for the codes of the controls on those paths), serialised;
 * its length.
 */
async function render(
  client: Client,
  head: { framework: string; entityId: string; depth: number },
  latest: Latest[],
  judged: Judged,
  page: number,
): Promise<number> {
  const listed = [...judged.values()].slice(0, page);
  const onPaths = new Set<string>();
  for (const { kept } of listed) for (const row of kept) for (const id of row.visited) onPaths.add(id);
  const { rows } = await client.query<{ id: string; framework: string; control_id: string }>(
    `SELECT id, framework, control_id FROM controls WHERE id = ANY($1::bigint[])`,
    [[...onPaths]],
  );
  const code = new Map(rows.map((row) => [row.id, { framework: row.framework, control: row.control_id }]));
  const recordOf = new Map(latest.map((row) => [row.control, row]));
  const controls = listed.map(({ target, coverage, kept }) => ({
    control: target.control_id,
    label: target.label,
    title: target.title,
    coverage,
    evidence: kept.slice(0, SHOWN).map((row) => {
      const record = recordOf.get(row.origin)!;
      return {
        record: {
          id: record.record,
          framework: record.framework,
          control: record.control_id,
          status: record.status,
          assessedAt: record.assessed_at.toISOString(),
        },
        path: row.steps.map((step) => ({ ...step, from: code.get(step.from), to: code.get(step.to) })),
      };
    }),
    moreEvidence: kept.length > SHOWN,
  }));
  const count = (level: string) => [...judged.values()].filter((control) => control.coverage === level).length;
  const summary = {
    controls: judged.size,
    covered: count('covered'),
    partial: count('partial'),
    notCovered: count('not-covered'),
  };
  return JSON.stringify({ ...head, summary, total: judged.size, offset: 0, limit: page, controls }).length;
}

function better(a: Row, b: Row): boolean {
  if (a.covering !== b.covering) return a.covering;
  if (a.depth !== b.depth) return a.depth < b.depth;
  for (let i = 0; i < a.visited.length; i++)
    if (a.visited[i] !== b.visited[i]) return Number(a.visited[i]) < Number(b.visited[i]);
  return false;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
