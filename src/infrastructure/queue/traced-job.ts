import { SpanKind } from '@opentelemetry/api';
import type { Tracing } from '../tracing/tracing.js';
import type { JobHandler, JobQueue } from './job-queue.js';

/** Messaging conventions (incubating, hence spelled out here rather than imported). */
const ATTR_MESSAGING_SYSTEM = 'messaging.system';
const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
const ATTR_JOB_ATTEMPT = 'compliance_kit.job.attempt';

/**
 * The handler, run as the root CONSUMER span `process <queue>`: a job starts a trace of its own,
 * as its enqueuer's request is over by then (a Bull job may even run on another replica). With
 * tracing off the handler is returned as it is.
 */
export function tracedJob<T>(
  tracing: Tracing,
  kind: JobQueue['kind'],
  name: string,
  handler: JobHandler<T>,
): JobHandler<T> {
  if (!tracing.enabled) return handler;
  return (job) =>
    tracing.run(
      `process ${name}`,
      {
        kind: SpanKind.CONSUMER,
        root: true,
        attributes: {
          [ATTR_MESSAGING_SYSTEM]: kind,
          [ATTR_MESSAGING_DESTINATION_NAME]: name,
          [ATTR_MESSAGING_OPERATION_NAME]: 'process',
          [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
          [ATTR_JOB_ATTEMPT]: job.attempt,
        },
      },
      () => handler(job),
    );
}
