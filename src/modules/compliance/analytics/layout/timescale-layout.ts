import type { EventsLayout, Queryable } from './events-layout.js';

/**
 * TimescaleDB (≥ 2.13, built by migrations 1764300002001 and 1765070000000): `compliance_events`
 * is a hypertable with 1-day chunks, and `compliance_events_hourly_cagg` /
 * `compliance_events_daily_cagg` are real-time continuous aggregates over it. Retention,
 * compression and refresh are the extension's policies (`TimescaleMaintenanceJob` watches them).
 */
export const HOURLY_CAGG = 'compliance_events_hourly_cagg';
export const DAILY_CAGG = 'compliance_events_daily_cagg';

/**
 * A late event is materialized only if a refresh runs while its time is still inside the policy's
 * window, so the aggregates are trusted a day less far back than the window reaches.
 */
const REFRESH_MARGIN_MS = 86_400_000;
const DAY_SECONDS = 86_400;

/**
 * How far past the retention the refresh window reaches (migration 1765070000000): trusted a
 * margin less, the aggregates still cover a range starting at the oldest whole day retention keeps.
 */
export const REFRESH_BEYOND_RETENTION_DAYS = 2;

export type PolicyKind = 'policy_compression' | 'policy_retention' | 'policy_refresh_continuous_aggregate';

export interface TimescalePolicy {
  relation: string;
  kind: PolicyKind;
  /** Refresh policies: how far back the window starts (null: from the beginning of time). */
  startOffsetSeconds: number | null;
  /** Retention policies: age after which chunks are dropped. */
  dropAfterSeconds: number | null;
}

const EXPECTED_POLICIES: [string, PolicyKind][] = [
  ['compliance_events', 'policy_compression'],
  ['compliance_events', 'policy_retention'],
  [HOURLY_CAGG, 'policy_refresh_continuous_aggregate'],
  [HOURLY_CAGG, 'policy_retention'],
  [DAILY_CAGG, 'policy_refresh_continuous_aggregate'],
  [DAILY_CAGG, 'policy_retention'],
];

/**
 * Policies on the hypertable and its aggregates. Older releases name a continuous aggregate's
 * jobs after its materialization hypertable, newer ones after the view: the join covers both.
 */
export async function timescalePolicies(db: Queryable): Promise<TimescalePolicy[]> {
  return (await db.query(
    `SELECT coalesce(aggregate.view_name, job.hypertable_name)::text AS relation, job.proc_name::text AS kind,
            extract(epoch FROM (job.config->>'start_offset')::interval)::float8 AS "startOffsetSeconds",
            extract(epoch FROM (job.config->>'drop_after')::interval)::float8 AS "dropAfterSeconds"
     FROM timescaledb_information.jobs job
     LEFT JOIN timescaledb_information.continuous_aggregates aggregate
       ON aggregate.materialization_hypertable_schema = job.hypertable_schema
      AND aggregate.materialization_hypertable_name = job.hypertable_name
     WHERE job.proc_name IN ('policy_compression', 'policy_retention', 'policy_refresh_continuous_aggregate')
       AND coalesce(aggregate.view_schema, job.hypertable_schema) = current_schema()
     ORDER BY 1, 2`,
  )) as TimescalePolicy[];
}

/** How far back a continuous aggregate equals the raw events: none without a refresh policy. */
export function refreshHorizonMs(policies: TimescalePolicy[], relation: string): number {
  const refresh = policies.find((p) => p.relation === relation && p.kind === 'policy_refresh_continuous_aggregate');
  if (!refresh) return 0;
  if (refresh.startOffsetSeconds === null) return Infinity;
  return Math.max(0, refresh.startOffsetSeconds * 1000 - REFRESH_MARGIN_MS);
}

/** The daily aggregate is refreshed from the hourly one, so it is never trusted further back. */
export function timescaleLayout(policies: TimescalePolicy[]): EventsLayout {
  const hourly = refreshHorizonMs(policies, HOURLY_CAGG);
  return {
    kind: 'timescale',
    aggregates: [
      { relation: DAILY_CAGG, granularity: '1d', horizonMs: Math.min(hourly, refreshHorizonMs(policies, DAILY_CAGG)) },
      { relation: HOURLY_CAGG, granularity: '1h', horizonMs: hourly },
    ],
    insertEvents: `
      INSERT INTO compliance_events (source_event_id, record_id, framework, status, score, occurred_at)
      SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[])
      ON CONFLICT DO NOTHING`,
  };
}

/**
 * Missing policies, a retention that differs from `COMPLIANCE_EVENTS_RETENTION_DAYS`, and refresh
 * windows that stop short of the retention (older days are then answered from raw events).
 */
export function policyProblems(policies: TimescalePolicy[], retentionDays: number): string[] {
  const problems = EXPECTED_POLICIES.filter(
    ([relation, kind]) => !policies.some((p) => p.relation === relation && p.kind === kind),
  ).map(([relation, kind]) => `no ${kind} on ${relation}`);
  const retention = policies.find((p) => p.relation === 'compliance_events' && p.kind === 'policy_retention');
  if (!retention?.dropAfterSeconds) return problems;
  const keptDays = retention.dropAfterSeconds / DAY_SECONDS;
  if (keptDays !== retentionDays) {
    problems.push(
      `policy_retention on compliance_events drops after ${keptDays} days, COMPLIANCE_EVENTS_RETENTION_DAYS is ${retentionDays}`,
    );
  }
  for (const refresh of policies.filter((p) => p.kind === 'policy_refresh_continuous_aggregate')) {
    const reachDays = refresh.startOffsetSeconds === null ? Infinity : refresh.startOffsetSeconds / DAY_SECONDS;
    if (reachDays < keptDays + REFRESH_BEYOND_RETENTION_DAYS) {
      problems.push(
        `policy_refresh_continuous_aggregate on ${refresh.relation} reaches back ${reachDays} days, ` +
          `less than the ${keptDays}-day retention + ${REFRESH_BEYOND_RETENTION_DAYS}: older days are read from raw events`,
      );
    }
  }
  return problems;
}
