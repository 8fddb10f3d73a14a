import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { OLIR_RELATIONSHIPS } from './dto/import-mappings.body.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

export const PAGERANK_DAMPING = 0.85;
export const PAGERANK_ITERATIONS = 20;

export interface CentralityRow {
  framework: string;
  control_id: string;
  label: string | null;
  title: string;
  degree: number;
  frameworks: string[];
  score: number;
}

/** Iterations alternate between these two temporary tables (one read, the other written). */
const SCORE_TABLES = ['centrality_score_a', 'centrality_score_b'] as const;

/** `control_centrality`: computed from the mapping graph in Postgres, read by the ranking. */
@QueryOwner()
@Injectable()
export class CentralityRepository {
  constructor(private readonly transactions: TransactionContext) {}

  private query<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.transactions.manager.query(sql, parameters) as Promise<T[]>;
  }

  /** Counts a request for a recomputation (in the caller's transaction: the outbox delivery's). */
  async request(): Promise<void> {
    await this.query(`UPDATE control_centrality_state SET requested = requested + 1`);
  }

  /** The newest request, when it is not computed yet. */
  async pendingRequest(): Promise<number | undefined> {
    const [state] = await this.query<{ requested: string; computed: string }>(
      `SELECT requested, computed FROM control_centrality_state`,
    );
    return state && Number(state.requested) > Number(state.computed) ? Number(state.requested) : undefined;
  }

  /** Requests up to `request` are computed; a later one stays pending. */
  async markComputed(request: number): Promise<void> {
    await this.query(`UPDATE control_centrality_state SET computed = greatest(computed, $1)`, [request]);
  }

  /**
   * Replaces every control's row, in the caller's transaction, so readers see the old scores until
   * it commits. The OLIR edges become one undirected link per pair of controls; PageRank iterates
   * over the linked controls (each has a neighbour, so no score leaks away) and a control without
   * links scores 0. Concurrent recomputations (replicas) queue on an advisory lock. Returns how
   * many controls were scored.
   */
  async recompute(): Promise<number> {
    const [first, second] = SCORE_TABLES;
    await this.query(`SELECT pg_advisory_xact_lock(hashtextextended('control_centrality', 0))`);
    // The distinct links and every iteration hash all links: at a million edges the default 4 MB
    // spills so badly that one statement ran for over 14 minutes (the whole run: 70 s; docs/controls.md).
    await this.query(`SET LOCAL work_mem = '64MB'`);
    // A background run, not a request: on a large graph one statement outlasts the request timeout.
    await this.query(`SET LOCAL statement_timeout = '5min'`);
    await this.query(`DROP TABLE IF EXISTS pg_temp.centrality_links, pg_temp.${first}, pg_temp.${second}`);
    await this.query(
      `CREATE TEMP TABLE centrality_links ON COMMIT DROP AS
       SELECT DISTINCT u, v FROM (
         SELECT source_control AS u, target_control AS v FROM control_mappings WHERE relationship = ANY ($1::text[])
         UNION ALL
         SELECT target_control, source_control FROM control_mappings WHERE relationship = ANY ($1::text[])
       ) e`,
      [[...OLIR_RELATIONSHIPS]],
    );
    await this.query(
      `CREATE TEMP TABLE ${first} ON COMMIT DROP AS
       SELECT u AS id, count(*)::integer AS degree, 1.0::float8 / count(*) OVER () AS score
         FROM centrality_links GROUP BY u`,
    );
    await this.query(`CREATE TEMP TABLE ${second} (LIKE ${first}) ON COMMIT DROP`);
    await this.query(`ANALYZE centrality_links, ${first}`);
    for (let iteration = 0; iteration < PAGERANK_ITERATIONS; iteration++) {
      const [from, to] = iteration % 2 === 0 ? [first, second] : [second, first];
      await this.query(`TRUNCATE ${to}`);
      await this.query(
        `INSERT INTO ${to} (id, degree, score)
         SELECT r.id, r.degree, (1 - $1::float8) / (SELECT count(*) FROM ${from}) + $1::float8 * i.inflow
           FROM ${from} r
           JOIN (SELECT l.v, sum(s.score / s.degree) AS inflow
                   FROM centrality_links l JOIN ${from} s ON s.id = l.u GROUP BY l.v) i ON i.v = r.id`,
        [PAGERANK_DAMPING],
      );
    }
    const scores = SCORE_TABLES[PAGERANK_ITERATIONS % 2];
    // Key-share every control before touching the scores: an import deleting a control then waits
    // for this run. Otherwise its cascade waits on the score rows deleted here while the insert
    // below waits on its control, a deadlock that fails the import.
    await this.query(`SELECT 1 FROM controls FOR KEY SHARE`);
    await this.query(`DELETE FROM control_centrality`);
    const [{ scored }] = await this.query<{ scored: string }>(
      `WITH written AS (
         INSERT INTO control_centrality (control, degree, frameworks, score, computed_at)
         SELECT c.id, COALESCE(r.degree, 0), COALESCE(f.frameworks, '{}'), COALESCE(r.score, 0), now()
           FROM controls c
           LEFT JOIN ${scores} r ON r.id = c.id
           LEFT JOIN (SELECT l.u, array_agg(DISTINCT t.framework ORDER BY t.framework) AS frameworks
                        FROM centrality_links l JOIN controls s ON s.id = l.u JOIN controls t ON t.id = l.v
                       WHERE t.framework <> s.framework
                       GROUP BY l.u) f ON f.u = c.id
         RETURNING degree
       )
       SELECT count(*) FILTER (WHERE degree > 0) AS scored FROM written`,
    );
    return Number(scored);
  }

  async catalogExists(framework: string): Promise<boolean> {
    const rows = await this.query(`SELECT 1 FROM control_catalogs WHERE framework = $1`, [framework]);
    return rows.length > 0;
  }

  /** When the scores were computed (every row of one run has the same time); null when never. */
  async computedAt(): Promise<Date | null> {
    const [row] = await this.query<{ computed_at: Date }>(`SELECT computed_at FROM control_centrality LIMIT 1`);
    return row?.computed_at ?? null;
  }

  async ranking(framework: string | null, limit: number): Promise<CentralityRow[]> {
    return this.query<CentralityRow>(
      `SELECT c.framework, c.control_id, c.label, c.title, k.degree, k.frameworks, k.score
         FROM control_centrality k JOIN controls c ON c.id = k.control
        WHERE $1::text IS NULL OR c.framework = $1
        ORDER BY k.score DESC, k.degree DESC, c.framework, c.control_id
        LIMIT $2`,
      [framework, limit],
    );
  }
}
