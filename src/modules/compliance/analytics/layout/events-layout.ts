import type { AnalyticsQuery, Bucket } from '../dto/analytics.query.js';

export const EVENTS_LAYOUT = Symbol('EVENTS_LAYOUT');

/** Anything that runs SQL and answers rows: a DataSource, an EntityManager, a QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export type EventsLayoutKind = 'native' | 'timescale';

/** A table or view of per-bucket sums: `bucket, framework, status, event_count, score_sum`. */
export interface EventAggregate {
  relation: string;
  /** Width of one row's bucket, always aligned to UTC hours/days (the epoch). */
  granularity: Bucket;
  /**
   * How far back from now the aggregate is kept equal to the raw events: unlimited for the native
   * rollup (maintained in the inserting statement), the refresh policy's window for a continuous
   * aggregate (late events older than that are never materialized).
   */
  horizonMs: number;
}

/** How `compliance_events` is stored; read from the database once, at boot. */
export interface EventsLayout {
  kind: EventsLayoutKind;
  /** Coarsest first; the last one is hourly. */
  aggregates: EventAggregate[];
  /** Inserts events from six parallel arrays ($1 ids … $6 times), ignoring ones already there. */
  insertEvents: string;
}

const WIDTH_MS: Record<Bucket, number> = { '1h': 3_600_000, '1d': 86_400_000 };

/**
 * The coarsest aggregate that answers `query` exactly: its rows are no wider than the requested
 * bucket, both ends of the range fall on its bucket edges, and the range starts within its horizon.
 * Undefined when only raw events can.
 */
export function pickAggregate(
  aggregates: EventAggregate[],
  query: Pick<AnalyticsQuery, 'from' | 'to' | 'bucket'>,
  now: Date,
): EventAggregate | undefined {
  return aggregates.find((aggregate) => {
    const width = WIDTH_MS[aggregate.granularity];
    return (
      width <= WIDTH_MS[query.bucket] &&
      query.from.getTime() % width === 0 &&
      query.to.getTime() % width === 0 &&
      query.from.getTime() >= now.getTime() - aggregate.horizonMs
    );
  });
}

/** The hourly aggregate every layout has (last in `aggregates`). */
export function hourlyAggregate(layout: EventsLayout): EventAggregate {
  return layout.aggregates[layout.aggregates.length - 1];
}

/**
 * Which layout the database holds: TimescaleDB when `compliance_events` is a hypertable (the
 * extension's views are only queried once the extension is known to be installed), native otherwise.
 */
export async function detectEventsLayout(db: Queryable): Promise<EventsLayoutKind> {
  const [extension] = (await db.query(
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS installed`,
  )) as { installed: boolean }[];
  if (!extension.installed) return 'native';
  const [table] = (await db.query(
    `SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                    WHERE hypertable_schema = current_schema() AND hypertable_name = 'compliance_events') AS hypertable`,
  )) as { hypertable: boolean }[];
  return table.hypertable ? 'timescale' : 'native';
}
