import type { Provider } from '@nestjs/common';
import { AppConfig } from '../../../../config/app-config.js';
import { TransactionContext } from '../../../../infrastructure/database/transaction-context.js';
import { JOB_QUEUE, type JobQueue } from '../../../../infrastructure/queue/job-queue.js';
import { EventPartitions } from '../jobs/event-partitions.js';
import { EventPartitionsJob } from '../jobs/event-partitions.job.js';
import { EVENTS_RETENTION, type EventsRetention } from '../jobs/events-retention.js';
import { TimescalePolicyCheck } from '../jobs/timescale-policy-check.js';
import { detectEventsLayout, EVENTS_LAYOUT, type EventsLayout, type Queryable } from './events-layout.js';
import { NATIVE_LAYOUT } from './native-layout.js';
import { timescaleLayout, timescalePolicies } from './timescale-layout.js';

/** Reads the layout the migrations left (they have run by then). With `eventsRetentionFor`, the only code that tells the two apart. */
export async function loadEventsLayout(db: Queryable): Promise<EventsLayout> {
  if ((await detectEventsLayout(db)) === 'native') return NATIVE_LAYOUT;
  return timescaleLayout(await timescalePolicies(db));
}

export function eventsRetentionFor(
  layout: EventsLayout,
  partitions: EventPartitions,
  queue: JobQueue,
  db: Queryable,
  config: AppConfig,
): EventsRetention {
  return layout.kind === 'timescale'
    ? new TimescalePolicyCheck(db, config.compliance.eventsRetentionDays)
    : new EventPartitionsJob(partitions, queue);
}

/** The time-series layout and its retention, chosen once at boot. */
export const EVENTS_LAYOUT_PROVIDERS: Provider[] = [
  {
    provide: EVENTS_LAYOUT,
    inject: [TransactionContext],
    useFactory: (transactions: TransactionContext) => loadEventsLayout(transactions.manager),
  },
  {
    provide: EVENTS_RETENTION,
    inject: [EVENTS_LAYOUT, EventPartitions, JOB_QUEUE, TransactionContext, AppConfig],
    useFactory: (
      layout: EventsLayout,
      partitions: EventPartitions,
      queue: JobQueue,
      transactions: TransactionContext,
      config: AppConfig,
    ) => eventsRetentionFor(layout, partitions, queue, transactions.manager, config),
  },
];
