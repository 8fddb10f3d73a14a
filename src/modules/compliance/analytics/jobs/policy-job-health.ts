import type { PolicyKind } from '../layout/timescale-layout.js';

/** One of the app's TimescaleDB policy jobs, as `timescaledb_information.jobs` and `job_stats` show it. */
export interface PolicyJobStats {
  jobId: number;
  relation: string;
  kind: PolicyKind;
  scheduleIntervalSeconds: number;
  /** False when paused (`alter_job(id, scheduled => false)`): an operator's decision, left alone. */
  scheduled: boolean;
  /** Of TimescaleDB's own last run; null before the first. `CALL run_job` does not change it. */
  lastRunStatus: 'Success' | 'Failed' | null;
  lastSuccessAt: Date | null;
  totalFailures: number;
  /** SQLSTATE and message of the last failure (`job_errors`), when the last run failed. */
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
}

/** A bounded label for metrics and health: never a job id or a relation. */
export type PolicyLabel = 'compression' | 'retention' | 'refresh';

export const POLICY_LABELS: Record<PolicyKind, PolicyLabel> = {
  policy_compression: 'compression',
  policy_retention: 'retention',
  policy_refresh_continuous_aggregate: 'refresh',
};

/**
 * TimescaleDB backs a failing job off (up to 5× its interval on a 2.28 server), so one failure is
 * not yet a reason to step in; three intervals without a success are.
 */
export const OVERDUE_AFTER_INTERVALS = 3;

export interface PolicyJobHealth {
  job: PolicyJobStats;
  policy: PolicyLabel;
  /** TimescaleDB's last run of it failed. */
  failing: boolean;
  /** Scheduled, and TimescaleDB has not completed it for `OVERDUE_AFTER_INTERVALS` intervals. */
  overdue: boolean;
  /** Overdue, and the app has not run it itself within one interval: the app should run it now. */
  runByApp: boolean;
}

/** What this process remembers between maintenance runs (a restart forgets it: it only delays a run). */
export interface FallbackMemory {
  /** When this process first saw a job that has never succeeded: the start of its overdue clock. */
  firstSeenWithoutSuccess: ReadonlyMap<number, Date>;
  /** When the app last ran the job itself with `CALL run_job`. */
  ranByApp: ReadonlyMap<number, Date>;
}

export function assessPolicyJobs(jobs: PolicyJobStats[], now: Date, memory: FallbackMemory): PolicyJobHealth[] {
  return jobs.map((job) => {
    const intervalMs = job.scheduleIntervalSeconds * 1000;
    const since = job.lastSuccessAt ?? memory.firstSeenWithoutSuccess.get(job.jobId) ?? now;
    const overdue = job.scheduled && now.getTime() - since.getTime() > OVERDUE_AFTER_INTERVALS * intervalMs;
    const ranAt = memory.ranByApp.get(job.jobId);
    return {
      job,
      policy: POLICY_LABELS[job.kind],
      failing: job.lastRunStatus === 'Failed',
      overdue,
      runByApp: overdue && (!ranAt || now.getTime() - ranAt.getTime() >= intervalMs),
    };
  });
}

/** Jobs per policy label that match `which`, with a zero for every label present. */
export function countByPolicy(
  health: PolicyJobHealth[],
  which: (job: PolicyJobHealth) => boolean,
): Map<PolicyLabel, number> {
  const counts = new Map<PolicyLabel, number>();
  for (const job of health) counts.set(job.policy, (counts.get(job.policy) ?? 0) + (which(job) ? 1 : 0));
  return counts;
}
