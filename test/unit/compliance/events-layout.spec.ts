import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import type { JobQueue } from '../../../src/infrastructure/queue/job-queue';
import { EventPartitions } from '../../../src/modules/compliance/analytics/jobs/event-partitions';
import { EventPartitionsJob } from '../../../src/modules/compliance/analytics/jobs/event-partitions.job';
import type { TimescaleJobMetrics } from '../../../src/modules/compliance/analytics/jobs/timescale-job.metrics';
import type { TimescaleJobs } from '../../../src/modules/compliance/analytics/jobs/timescale-jobs';
import { TimescaleMaintenanceJob } from '../../../src/modules/compliance/analytics/jobs/timescale-maintenance.job';
import { detectEventsLayout, type Queryable } from '../../../src/modules/compliance/analytics/layout/events-layout';
import {
  eventsRetentionFor,
  loadEventsLayout,
} from '../../../src/modules/compliance/analytics/layout/events-layout.providers';
import { NATIVE_LAYOUT } from '../../../src/modules/compliance/analytics/layout/native-layout';
import {
  DAILY_CAGG,
  HOURLY_CAGG,
  policyProblems,
  refreshHorizonMs,
  timescaleLayout,
  type TimescalePolicy,
} from '../../../src/modules/compliance/analytics/layout/timescale-layout';

const DAY = 86_400;

/** Answers the layout probes as a database in the given state would; records every statement. */
function database(state: { extension: boolean; hypertable: boolean; policies?: TimescalePolicy[] }) {
  const statements: string[] = [];
  const db: Queryable = {
    query: (sql: string) => {
      statements.push(sql);
      if (sql.includes('AS installed')) return Promise.resolve([{ installed: state.extension }]);
      if (sql.includes('AS hypertable')) {
        if (!state.extension) return Promise.reject(new Error('schema "timescaledb_information" does not exist'));
        return Promise.resolve([{ hypertable: state.hypertable }]);
      }
      if (sql.includes('timescaledb_information.jobs')) return Promise.resolve(state.policies ?? []);
      return Promise.reject(new Error(`unexpected statement: ${sql}`));
    },
  };
  return { db, statements };
}

const policy = (relation: string, kind: TimescalePolicy['kind'], days: number | null): TimescalePolicy => ({
  relation,
  kind,
  startOffsetSeconds: kind === 'policy_refresh_continuous_aggregate' && days !== null ? days * DAY : null,
  dropAfterSeconds: kind === 'policy_retention' && days !== null ? days * DAY : null,
});

/** As migrations 1764300002001 and 1765070000000 leave them: refreshed over retention + 2 days. */
const MIGRATED: TimescalePolicy[] = [
  policy('compliance_events', 'policy_compression', null),
  policy('compliance_events', 'policy_retention', 90),
  policy(HOURLY_CAGG, 'policy_refresh_continuous_aggregate', 92),
  policy(HOURLY_CAGG, 'policy_retention', 90),
  policy(DAILY_CAGG, 'policy_refresh_continuous_aggregate', 92),
  policy(DAILY_CAGG, 'policy_retention', 90),
];

describe('choosing the events layout at boot', () => {
  it('is native without the extension, and never queries the extension views then', async () => {
    const { db, statements } = database({ extension: false, hypertable: false });
    expect(await detectEventsLayout(db)).toBe('native');
    expect(statements).toHaveLength(1);
  });

  it('is native when the extension exists but compliance_events is a plain partitioned table', async () => {
    expect(await detectEventsLayout(database({ extension: true, hypertable: false }).db)).toBe('native');
  });

  it('is timescale when compliance_events is a hypertable', async () => {
    expect(await detectEventsLayout(database({ extension: true, hypertable: true }).db)).toBe('timescale');
  });

  it('loads the native layout (rollup written with the events) or the TimescaleDB one (aggregates, plain insert)', async () => {
    expect(await loadEventsLayout(database({ extension: false, hypertable: false }).db)).toBe(NATIVE_LAYOUT);
    expect(NATIVE_LAYOUT.insertEvents).toContain('INSERT INTO compliance_events_hourly');

    const layout = await loadEventsLayout(database({ extension: true, hypertable: true, policies: MIGRATED }).db);
    expect(layout.kind).toBe('timescale');
    expect(layout.aggregates.map((a) => [a.relation, a.granularity])).toEqual([
      [DAILY_CAGG, '1d'],
      [HOURLY_CAGG, '1h'],
    ]);
    expect(layout.insertEvents).not.toContain('compliance_events_hourly');
    expect(layout.insertEvents).toContain('ON CONFLICT DO NOTHING');
  });

  it('runs the partition job on the native layout and the TimescaleDB maintenance job on a hypertable', async () => {
    const { db } = database({ extension: true, hypertable: true, policies: MIGRATED });
    const deps = {
      partitions: {} as EventPartitions,
      queue: {} as JobQueue,
      db,
      timescaleJobs: { stats: () => Promise.resolve([]) } as unknown as TimescaleJobs,
      metrics: {} as TimescaleJobMetrics,
      config: new AppConfig(validateEnvironment({})),
    };
    expect(eventsRetentionFor(NATIVE_LAYOUT, deps)).toBeInstanceOf(EventPartitionsJob);
    expect(await eventsRetentionFor(NATIVE_LAYOUT, deps).report()).toBeUndefined();
    const retention = eventsRetentionFor(timescaleLayout(MIGRATED), deps);
    expect(retention).toBeInstanceOf(TimescaleMaintenanceJob);
    expect(await (retention as TimescaleMaintenanceJob).check()).toBe(
      'TimescaleDB policies present, their jobs succeeding',
    );
  });
});

describe('TimescaleDB policies', () => {
  it('trusts a continuous aggregate a day less far back than its refresh window, and not at all without one', () => {
    expect(refreshHorizonMs(MIGRATED, HOURLY_CAGG)).toBe(91 * DAY * 1000);
    expect(refreshHorizonMs([], HOURLY_CAGG)).toBe(0);
    expect(refreshHorizonMs([policy(HOURLY_CAGG, 'policy_refresh_continuous_aggregate', null)], HOURLY_CAGG)).toBe(
      Infinity,
    );
  });

  it('never trusts the daily aggregate further back than the hourly one it is refreshed from', () => {
    const layout = timescaleLayout([
      policy(HOURLY_CAGG, 'policy_refresh_continuous_aggregate', 10),
      policy(DAILY_CAGG, 'policy_refresh_continuous_aggregate', 80),
    ]);
    expect(layout.aggregates.map((a) => a.horizonMs)).toEqual([9 * DAY * 1000, 9 * DAY * 1000]);
  });

  it('reports missing policies and a retention that differs from the configured one', () => {
    expect(policyProblems(MIGRATED, 90)).toEqual([]);
    expect(policyProblems(MIGRATED.slice(1), 30)).toEqual([
      'no policy_compression on compliance_events',
      'policy_retention on compliance_events drops after 90 days, COMPLIANCE_EVENTS_RETENTION_DAYS is 30',
    ]);
  });

  it('reports a refresh window that stops short of the retention, as 1764300002001 left it (80 of 90 days)', () => {
    const first = MIGRATED.map((p) =>
      p.kind === 'policy_refresh_continuous_aggregate' ? policy(p.relation, p.kind, 80) : p,
    );
    expect(policyProblems(first, 90)).toEqual(
      [HOURLY_CAGG, DAILY_CAGG].map(
        (relation) =>
          `policy_refresh_continuous_aggregate on ${relation} reaches back 80 days, ` +
          'less than the 90-day retention + 2: older days are read from raw events',
      ),
    );
    expect(
      policyProblems(
        first.map((p) => (p.kind === 'policy_retention' ? policy(p.relation, p.kind, 78) : p)),
        78,
      ),
    ).toEqual([]);
  });
});
