import type { Provider } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus';
import { AppConfig } from '../../../../config/app-config.js';
import { TransactionContext } from '../../../../infrastructure/database/transaction-context.js';
import { JOB_QUEUE, type JobQueue } from '../../../../infrastructure/queue/job-queue.js';
import { EventPartitions } from '../jobs/event-partitions.js';
import { EventPartitionsJob } from '../jobs/event-partitions.job.js';
import { EVENTS_RETENTION, type EventsRetention } from '../jobs/events-retention.js';
import {
  POLICY_APP_RUNS_METRIC,
  POLICY_JOBS_FAILING_METRIC,
  POLICY_JOBS_OVERDUE_METRIC,
  type TimescaleJobMetrics,
} from '../jobs/timescale-job.metrics.js';
import { TimescaleJobs } from '../jobs/timescale-jobs.js';
import { TimescaleMaintenanceJob } from '../jobs/timescale-maintenance.job.js';
import { detectEventsLayout, EVENTS_LAYOUT, type EventsLayout, type Queryable } from './events-layout.js';
import { NATIVE_LAYOUT } from './native-layout.js';
import { timescaleLayout, timescalePolicies } from './timescale-layout.js';

/** Reads the layout the migrations left (they have run by then). With `eventsRetentionFor`, the only code that tells the two apart. */
export async function loadEventsLayout(db: Queryable): Promise<EventsLayout> {
  if ((await detectEventsLayout(db)) === 'native') return NATIVE_LAYOUT;
  return timescaleLayout(await timescalePolicies(db));
}

export interface RetentionDependencies {
  partitions: EventPartitions;
  queue: JobQueue;
  db: Queryable;
  timescaleJobs: TimescaleJobs;
  metrics: TimescaleJobMetrics;
  config: AppConfig;
}

export function eventsRetentionFor(layout: EventsLayout, deps: RetentionDependencies): EventsRetention {
  return layout.kind === 'timescale'
    ? new TimescaleMaintenanceJob(
        deps.db,
        deps.timescaleJobs,
        deps.queue,
        deps.metrics,
        deps.config.compliance.eventsRetentionDays,
      )
    : new EventPartitionsJob(deps.partitions, deps.queue, deps.config.compliance.partitionsIntervalMs);
}

/** The time-series layout and its retention, chosen once at boot. */
export const EVENTS_LAYOUT_PROVIDERS: Provider[] = [
  {
    provide: EVENTS_LAYOUT,
    inject: [TransactionContext],
    useFactory: (transactions: TransactionContext) => loadEventsLayout(transactions.manager),
  },
  TimescaleJobs,
  {
    provide: EVENTS_RETENTION,
    inject: [
      EVENTS_LAYOUT,
      EventPartitions,
      JOB_QUEUE,
      TransactionContext,
      TimescaleJobs,
      AppConfig,
      getToken(POLICY_JOBS_FAILING_METRIC),
      getToken(POLICY_JOBS_OVERDUE_METRIC),
      getToken(POLICY_APP_RUNS_METRIC),
    ],
    useFactory: (
      layout: EventsLayout,
      partitions: EventPartitions,
      queue: JobQueue,
      transactions: TransactionContext,
      timescaleJobs: TimescaleJobs,
      config: AppConfig,
      failing: TimescaleJobMetrics['failing'],
      overdue: TimescaleJobMetrics['overdue'],
      appRuns: TimescaleJobMetrics['appRuns'],
    ) =>
      eventsRetentionFor(layout, {
        partitions,
        queue,
        db: transactions.manager,
        timescaleJobs,
        metrics: { failing, overdue, appRuns },
        config,
      }),
  },
];
