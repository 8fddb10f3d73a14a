import { HealthIndicatorService } from '@nestjs/terminus';
import { Counter, Gauge, Registry } from 'prom-client';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import type { JobQueue } from '../../../src/infrastructure/queue/job-queue';
import { EventsRetentionIndicator } from '../../../src/modules/compliance/analytics/jobs/events-retention.indicator';
import type { PolicyJobStats } from '../../../src/modules/compliance/analytics/jobs/policy-job-health';
import type { TimescaleJobs } from '../../../src/modules/compliance/analytics/jobs/timescale-jobs';
import { TimescaleMaintenanceJob } from '../../../src/modules/compliance/analytics/jobs/timescale-maintenance.job';
import type { Queryable } from '../../../src/modules/compliance/analytics/layout/events-layout';
import { DAILY_CAGG, HOURLY_CAGG } from '../../../src/modules/compliance/analytics/layout/timescale-layout';

const NOW = new Date('2026-12-02T12:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

const job = (jobId: number, overrides: Partial<PolicyJobStats>): PolicyJobStats => ({
  jobId,
  relation: 'compliance_events',
  kind: 'policy_compression',
  scheduleIntervalSeconds: 12 * 3600,
  scheduled: true,
  lastRunStatus: 'Success',
  lastSuccessAt: minutes(-60),
  totalFailures: 0,
  lastErrorCode: null,
  lastErrorMessage: null,
  ...overrides,
});
/** As on the 2.28 server: each refresh does its work, then ends Failed, and has for two hours. */
const failingRefresh = (jobId: number, relation: string, intervalSeconds: number) =>
  job(jobId, {
    relation,
    kind: 'policy_refresh_continuous_aggregate',
    scheduleIntervalSeconds: intervalSeconds,
    lastRunStatus: 'Failed',
    lastSuccessAt: minutes(-120),
    totalFailures: 9,
    lastErrorCode: '24000',
    lastErrorMessage: 'cannot drop portal "" while it is being set up',
  });

/** The six policies with their migrated windows, for `timescalePolicies`. */
const POLICIES = [
  ['compliance_events', 'policy_compression', null, null],
  ['compliance_events', 'policy_retention', null, 90],
  [HOURLY_CAGG, 'policy_refresh_continuous_aggregate', 92, null],
  [HOURLY_CAGG, 'policy_retention', null, 90],
  [DAILY_CAGG, 'policy_refresh_continuous_aggregate', 92, null],
  [DAILY_CAGG, 'policy_retention', null, 90],
].map(([relation, kind, start, drop]) => ({
  relation,
  kind,
  startOffsetSeconds: start === null ? null : Number(start) * 86_400,
  dropAfterSeconds: drop === null ? null : Number(drop) * 86_400,
}));

function setup(stats: PolicyJobStats[], options: { lockedElsewhere?: boolean; failingRun?: number } = {}) {
  const calls: string[] = [];
  const db: Queryable = { query: () => Promise.resolve(POLICIES) };
  const jobs = {
    stats: () => Promise.resolve(stats),
    exclusively: async <T>(work: (db: Queryable) => Promise<T>) => (options.lockedElsewhere ? undefined : work(db)),
    run: (_db: Queryable, jobId: number) => {
      calls.push(`run ${jobId}`);
      return jobId === options.failingRun ? Promise.reject(new Error('lock timeout')) : Promise.resolve();
    },
    compressedChunksWithoutStatistics: () => Promise.resolve(['_timescaledb_internal.compress_hyper_2_7_chunk']),
    analyze: (_db: Queryable, relation: string) => {
      calls.push(`analyze ${relation}`);
      return Promise.resolve();
    },
  } as unknown as TimescaleJobs;
  const registry = new Registry();
  const metrics = {
    failing: new Gauge({ name: 'failing', help: 'h', labelNames: ['policy'], registers: [registry] }),
    overdue: new Gauge({ name: 'overdue', help: 'h', labelNames: ['policy'], registers: [registry] }),
    appRuns: new Counter({ name: 'app_runs', help: 'h', labelNames: ['policy', 'result'], registers: [registry] }),
  };
  const queue = { process: () => undefined, repeat: () => Promise.resolve() } as unknown as JobQueue;
  const maintenance = new TimescaleMaintenanceJob(db, jobs, queue, metrics, 90);
  return { maintenance, calls, registry };
}

describe('TimescaleDB maintenance job', () => {
  const stats = [job(1000, {}), failingRefresh(1002, HOURLY_CAGG, 600), failingRefresh(1004, DAILY_CAGG, 1800)];

  it('runs the jobs TimescaleDB keeps failing, once per interval, and analyzes compressed chunks', async () => {
    const { maintenance, calls, registry } = setup(stats);
    expect(await maintenance.maintain(NOW)).toBe(
      '0 policy problems, 2 jobs failing or overdue; ran 2 overdue jobs, analyzed 1 compressed chunks',
    );
    expect(calls).toEqual(['run 1002', 'run 1004', 'analyze _timescaledb_internal.compress_hyper_2_7_chunk']);

    calls.length = 0;
    await maintenance.maintain(minutes(10));
    expect(calls.filter((call) => call.startsWith('run'))).toEqual(['run 1002']);
    expect(await registry.getSingleMetricAsString('app_runs')).toContain('app_runs{policy="refresh",result="ok"} 3');
  });

  it('counts a run that fails and goes on with the next job', async () => {
    const { maintenance, calls, registry } = setup(stats, { failingRun: 1002 });
    await maintenance.maintain(NOW);
    expect(calls.filter((call) => call.startsWith('run'))).toEqual(['run 1002', 'run 1004']);
    const runs = await registry.getSingleMetricAsString('app_runs');
    expect(runs).toContain('app_runs{policy="refresh",result="error"} 1');
    expect(runs).toContain('app_runs{policy="refresh",result="ok"} 1');
  });

  it('runs nothing while another replica holds the maintenance lock', async () => {
    const { maintenance, calls } = setup(stats, { lockedElsewhere: true });
    expect(await maintenance.maintain(NOW)).toMatch(/another replica is maintaining$/);
    expect(calls).toEqual([]);
  });

  it('publishes failing and overdue jobs per policy at scrape time, without ids', async () => {
    const { maintenance, registry } = setup(stats);
    await maintenance.onApplicationBootstrap();
    const exposition = await registry.metrics();
    expect(exposition).toContain('failing{policy="refresh"} 2');
    expect(exposition).toContain('failing{policy="compression"} 0');
    expect(exposition).toContain('overdue{policy="refresh"} 2');
    expect(exposition).not.toMatch(/100[0-9]/);
    maintenance.onApplicationShutdown();
  });

  it('reports failing jobs in /health as degraded, with SQLSTATE but not the message, and what the app ran', async () => {
    const { maintenance } = setup(stats);
    await maintenance.maintain(NOW);
    const config = new AppConfig(validateEnvironment({}));
    const result = await new EventsRetentionIndicator(new HealthIndicatorService(), maintenance, config).check();
    expect(result.timescaledb.status).toBe('degraded');
    const jobs = (result.timescaledb as unknown as { jobs: Record<string, unknown>[] }).jobs;
    expect(jobs[1]).toEqual({
      jobId: 1002,
      policy: 'refresh',
      relation: HOURLY_CAGG,
      lastRunStatus: 'Failed',
      lastSuccessAt: minutes(-120).toISOString(),
      failing: true,
      overdue: true,
      lastErrorCode: '24000',
      ranByAppAt: NOW.toISOString(),
    });
    expect(JSON.stringify(result)).not.toContain('portal');
  });

  it('reports up when every job succeeds, and disabled on the native layout', async () => {
    const config = new AppConfig(validateEnvironment({}));
    const healthy = setup([job(1000, { lastSuccessAt: new Date() })]).maintenance;
    const up = await new EventsRetentionIndicator(new HealthIndicatorService(), healthy, config).check();
    expect(up.timescaledb).toMatchObject({ status: 'up', state: 'up' });
    const native = { maintain: () => Promise.resolve(''), report: () => Promise.resolve(undefined) };
    const disabled = await new EventsRetentionIndicator(new HealthIndicatorService(), native, config).check();
    expect(disabled).toEqual({ timescaledb: { status: 'up', state: 'disabled' } });
  });
});
