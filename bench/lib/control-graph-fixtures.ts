import type { Client } from 'pg';

export interface GraphShape {
  frameworks: number;
  controls: number;
  edges: number;
  /**
   * Endpoints are drawn as floor(controls × u^skew), u uniform: skew 1 is uniform, 2 gives a power
   * law (at 100,000 controls and 1,000,000 edges: median degree 15, p99 97, the biggest hub ~5,900).
   */
  skew: number;
}

export interface SyntheticGraph extends GraphShape {
  frameworkCodes: string[];
  /** Id of control number 0; control n is `firstId + n`, of framework `n / perFramework`, id `c-<n % perFramework>`. */
  firstId: number;
  perFramework: number;
}

/** Multiplier that spreads the hubs (small drawn numbers) over every framework; coprime to 10^k. */
const SCATTER = 48271;

/**
 * A deterministic uniform number in [0, 1) for (g, salt): a hash, not random(), so the same graph
 * comes out whatever the plan or the worker that evaluates it.
 */
const UNIT_FUNCTION = `CREATE OR REPLACE FUNCTION bench_unit(g bigint, salt bigint) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (hashint8extended(g, salt) & 4503599627370495)::float8 / 4503599627370496 $$`;

export const frameworkCode = (i: number) => `GRAPH-${i + 1}`;

/**
 * Frameworks, catalogs, controls and edges written straight into the app's tables with
 * generate_series (seconds, where the import routes would take minutes), then ANALYZEd. Edges:
 * 15% `related` within a framework (source `oscal-catalog:<code>`, as an import writes them), the
 * rest OLIR types from one crosswalk source, most of them across frameworks; no duplicate, no loop.
 */
export async function loadSyntheticGraph(client: Client, shape: GraphShape): Promise<SyntheticGraph> {
  const perFramework = shape.controls / shape.frameworks;
  if (!Number.isInteger(perFramework)) throw new Error('controls must divide evenly into frameworks');
  const frameworkCodes = Array.from({ length: shape.frameworks }, (_, i) => frameworkCode(i));
  await client.query(UNIT_FUNCTION);
  await client.query(
    `INSERT INTO compliance_frameworks (code, name) SELECT code, 'Synthetic ' || code FROM unnest($1::text[]) code`,
    [frameworkCodes],
  );
  await client.query(
    `INSERT INTO control_catalogs (framework, uuid, title, version, oscal_version, metadata)
     SELECT code, gen_random_uuid(), 'Synthetic ' || code, '1', '1.0.6',
            jsonb_build_object('title', 'Synthetic ' || code, 'version', '1', 'oscal-version', '1.0.6')
       FROM unnest($1::text[]) code`,
    [frameworkCodes],
  );
  await client.query(
    `INSERT INTO controls (framework, control_id, group_id, label, title, statement, sort_order)
     SELECT ($1::text[])[1 + n / $2], 'c-' || n % $2, 'g-' || (n % $2) / 100, 'C-' || n % $2,
            'Synthetic control ' || n || ' of the bench graph',
            'The organization defines, documents and reviews synthetic safeguard ' || n ||
            ' at a frequency it sets, and keeps evidence of each review for the period it defines.',
            n % $2
       FROM generate_series(0, $3::int - 1) n ORDER BY n`,
    [frameworkCodes, perFramework, shape.controls],
  );
  const ids = await client.query<{ first: string; last: string }>(
    `SELECT min(id) AS first, max(id) AS last FROM controls WHERE framework = ANY($1)`,
    [frameworkCodes],
  );
  const firstId = Number(ids.rows[0].first);
  if (Number(ids.rows[0].last) - firstId + 1 !== shape.controls) throw new Error('control ids are not contiguous');
  // 3% more candidates than edges: duplicates and loops are dropped, the first `edges` kept.
  await withoutIndexes(client, 'control_mappings', () =>
    client.query(
      `INSERT INTO control_mappings (source_control, target_control, relationship, strength, source)
     SELECT $1::bigint + s, $1::bigint + t, rel, strength,
            CASE rel WHEN 'related' THEN 'oscal-catalog:' || ($6::text[])[1 + s / $5::bigint] ELSE 'bench-crosswalk' END
       FROM (SELECT DISTINCT ON (s, t, rel) g, s, t, rel, strength
               FROM (SELECT g, s, rel, strength,
                            CASE rel WHEN 'related' THEN s / $5::bigint * $5::bigint + t0 % $5::bigint ELSE t0 END AS t
                       FROM (SELECT g,
                                    floor($2::bigint * power(bench_unit(g, 1), $4::float8))::bigint * ${SCATTER} % $2::bigint AS s,
                                    floor($2::bigint * power(bench_unit(g, 2), $4::float8))::bigint * ${SCATTER} % $2::bigint AS t0,
                                    CASE WHEN bench_unit(g, 3) < 0.15 THEN 'related'
                                         WHEN bench_unit(g, 3) < 0.30 THEN 'equivalent'
                                         WHEN bench_unit(g, 3) < 0.50 THEN 'subset-of'
                                         WHEN bench_unit(g, 3) < 0.70 THEN 'superset-of'
                                         ELSE 'intersects-with' END AS rel,
                                    floor(bench_unit(g, 4) * 11)::smallint AS strength
                               FROM generate_series(0, ($3::int * 103) / 100) g) drawn) candidates
              WHERE s <> t
              ORDER BY s, t, rel, g) distinct_edges
      ORDER BY g LIMIT $3::int`,
      [firstId, shape.controls, shape.edges, shape.skew, perFramework, frameworkCodes],
    ),
  );
  // VACUUM too, as autovacuum would have by then: the visibility map allows index-only scans.
  for (const table of ['control_catalogs', 'controls', 'control_mappings'])
    await client.query(`VACUUM ANALYZE ${table}`);
  return { ...shape, frameworkCodes, firstId, perFramework };
}

/**
 * Runs a bulk load with the table's secondary indexes dropped and its foreign-key triggers off (the
 * rows reference controls just written), then rebuilds the indexes from their own definitions:
 * about 20 s instead of 3 minutes at 1,000,000 edges, whose indexes outgrow a default shared_buffers.
 */
async function withoutIndexes(client: Client, table: string, load: () => Promise<unknown>): Promise<void> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
      WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [table],
  );
  for (const { name } of rows) await client.query(`DROP INDEX ${name}`);
  await client.query(`SET session_replication_role = replica`);
  await client.query(`SET work_mem = '256MB'`);
  try {
    await load();
  } finally {
    await client.query('RESET session_replication_role');
    await client.query('RESET work_mem');
    await client.query(`SET maintenance_work_mem = '512MB'`);
    for (const { definition } of rows) await client.query(definition);
    await client.query('RESET maintenance_work_mem');
  }
}

/** The framework and OSCAL id of control number `n`. */
export function controlRef(graph: SyntheticGraph, n: number): { framework: string; control: string } {
  return {
    framework: graph.frameworkCodes[Math.floor(n / graph.perFramework)],
    control: `c-${n % graph.perFramework}`,
  };
}

/** `count` distinct control numbers, uniformly drawn (a start is any control, hub or not). */
export function distinctControls(graph: SyntheticGraph, count: number, random: () => number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(random() * graph.controls));
  return [...chosen];
}

const STATUSES = ['passed', 'failed', 'warning', 'pending', 'not_applicable'];

/**
 * `count` records of one entity, spread evenly over the graph's frameworks, each on a distinct
 * control (uniformly drawn by hash), `passedShare` of them passed and the rest spread over the
 * other statuses. Plain SQL into compliance_records: no evidence notes, so nothing to encrypt.
 */
export async function insertEntityRecords(
  client: Client,
  graph: SyntheticGraph,
  entityId: string,
  count: number,
  passedShare: number,
): Promise<void> {
  await client.query(
    `INSERT INTO compliance_records (entity_id, framework, control_id, status, score, details, assessed_at)
     SELECT $1::text, ($2::text[])[1 + n / $3::int], 'c-' || n % $3::int,
            CASE WHEN bench_unit(i, 11) < $5::float8 THEN 'passed'
                 ELSE ($6::text[])[2 + floor(bench_unit(i, 12) * 4)::int] END,
            round((bench_unit(i, 13) * 100)::numeric, 2), '{"source": "bench"}', now() - make_interval(days => i % 90)
       FROM (SELECT DISTINCT ON (n) i, n
               FROM (SELECT i, (i % $7::int) * $3::int + floor(bench_unit(i, 10) * $3::int)::int AS n
                       FROM generate_series(0, $4::int * 2) i) drawn
              ORDER BY n, i) picked
      ORDER BY i LIMIT $4::int`,
    [entityId, graph.frameworkCodes, graph.perFramework, count, passedShare, STATUSES, graph.frameworks],
  );
  await client.query('ANALYZE compliance_records');
}
