import {
  assessPolicyJobs,
  countByPolicy,
  type FallbackMemory,
  type PolicyJobStats,
} from '../../../src/modules/compliance/analytics/jobs/policy-job-health';
import { HOURLY_CAGG } from '../../../src/modules/compliance/analytics/layout/timescale-layout';

const NOW = new Date('2026-12-02T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

/** The hourly refresh (every 10 minutes), succeeding unless told otherwise. */
const refresh = (overrides: Partial<PolicyJobStats> = {}): PolicyJobStats => ({
  jobId: 1002,
  relation: HOURLY_CAGG,
  kind: 'policy_refresh_continuous_aggregate',
  scheduleIntervalSeconds: 600,
  scheduled: true,
  lastRunStatus: 'Success',
  lastSuccessAt: minutesAgo(5),
  totalFailures: 0,
  lastErrorCode: null,
  lastErrorMessage: null,
  ...overrides,
});
const failed = (lastSuccessMinutesAgo: number | null, overrides: Partial<PolicyJobStats> = {}) =>
  refresh({
    lastRunStatus: 'Failed',
    lastSuccessAt: lastSuccessMinutesAgo === null ? null : minutesAgo(lastSuccessMinutesAgo),
    totalFailures: 4,
    lastErrorCode: '24000',
    lastErrorMessage: 'cannot drop portal "" while it is being set up',
    ...overrides,
  });
const memory = (memo: Partial<Record<keyof FallbackMemory, [number, Date][]>> = {}): FallbackMemory => ({
  firstSeenWithoutSuccess: new Map(memo.firstSeenWithoutSuccess ?? []),
  ranByApp: new Map(memo.ranByApp ?? []),
});
const assess = (job: PolicyJobStats, memo = memory()) => {
  const [{ failing, overdue, runByApp }] = assessPolicyJobs([job], NOW, memo);
  return { failing, overdue, runByApp };
};

describe('TimescaleDB policy job health', () => {
  it('leaves a job alone while TimescaleDB completes it', () => {
    expect(assess(refresh())).toEqual({ failing: false, overdue: false, runByApp: false });
  });

  it('reports a failed last run at once, but steps in only after three intervals without a success', () => {
    expect(assess(failed(25))).toEqual({ failing: true, overdue: false, runByApp: false });
    expect(assess(failed(31))).toEqual({ failing: true, overdue: true, runByApp: true });
  });

  it('steps in when the scheduler stopped running a job, failed or not', () => {
    expect(assess(refresh({ lastSuccessAt: minutesAgo(45) }))).toEqual({
      failing: false,
      overdue: true,
      runByApp: true,
    });
  });

  it('times a job that never succeeded from when this process first saw it', () => {
    const never = failed(null);
    expect(assess(never)).toEqual({ failing: true, overdue: false, runByApp: false });
    expect(assess(never, memory({ firstSeenWithoutSuccess: [[1002, minutesAgo(20)]] })).overdue).toBe(false);
    expect(assess(never, memory({ firstSeenWithoutSuccess: [[1002, minutesAgo(31)]] })).runByApp).toBe(true);
    const neverRan = refresh({ lastRunStatus: null, lastSuccessAt: null });
    expect(assess(neverRan, memory({ firstSeenWithoutSuccess: [[1002, minutesAgo(31)]] }))).toEqual({
      failing: false,
      overdue: true,
      runByApp: true,
    });
  });

  it('runs an overdue job itself at most once per schedule interval', () => {
    expect(assess(failed(60), memory({ ranByApp: [[1002, minutesAgo(9)]] }))).toEqual({
      failing: true,
      overdue: true,
      runByApp: false,
    });
    expect(assess(failed(60), memory({ ranByApp: [[1002, minutesAgo(10)]] })).runByApp).toBe(true);
  });

  it('never runs a job an operator paused', () => {
    expect(assess(failed(600, { scheduled: false }))).toEqual({ failing: true, overdue: false, runByApp: false });
  });

  it('measures each job by its own interval', () => {
    const compression = refresh({
      jobId: 1000,
      relation: 'compliance_events',
      kind: 'policy_compression',
      scheduleIntervalSeconds: 12 * 3600,
      lastSuccessAt: minutesAgo(35 * 60),
    });
    expect(assess(compression).overdue).toBe(false);
    expect(assess({ ...compression, lastSuccessAt: minutesAgo(37 * 60) }).overdue).toBe(true);
  });

  it('counts jobs per policy label, with a zero for every policy present', () => {
    const health = assessPolicyJobs(
      [
        failed(60),
        refresh({ jobId: 1004 }),
        refresh({ jobId: 1001, kind: 'policy_retention', relation: 'compliance_events' }),
      ],
      NOW,
      memory(),
    );
    expect(Object.fromEntries(countByPolicy(health, (job) => job.failing))).toEqual({ refresh: 1, retention: 0 });
  });
});
