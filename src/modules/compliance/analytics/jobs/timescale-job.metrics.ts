import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';

export const POLICY_JOBS_FAILING_METRIC = 'timescale_policy_jobs_failing';
export const POLICY_JOBS_OVERDUE_METRIC = 'timescale_policy_jobs_overdue';
export const POLICY_APP_RUNS_METRIC = 'timescale_policy_app_runs_total';

export interface TimescaleJobMetrics {
  failing: Gauge<'policy'>;
  overdue: Gauge<'policy'>;
  appRuns: Counter<'policy' | 'result'>;
}

/** Registered on both layouts; the gauges have series only on TimescaleDB, read at scrape time. */
export const TIMESCALE_JOB_METRIC_PROVIDERS = [
  makeGaugeProvider({
    name: POLICY_JOBS_FAILING_METRIC,
    help: 'TimescaleDB policy jobs of compliance_events whose last run by TimescaleDB failed, by policy',
    labelNames: ['policy'],
  }),
  makeGaugeProvider({
    name: POLICY_JOBS_OVERDUE_METRIC,
    help: 'TimescaleDB policy jobs of compliance_events without a successful run for 3 intervals, by policy',
    labelNames: ['policy'],
  }),
  makeCounterProvider({
    name: POLICY_APP_RUNS_METRIC,
    help: 'Overdue TimescaleDB policy jobs the app ran itself with CALL run_job, by policy and result',
    labelNames: ['policy', 'result'],
  }),
];
