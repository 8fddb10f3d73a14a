import { Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/problem.js';
import { JOB_QUEUE, type JobQueue, JobQueueUnavailableError } from '../../infrastructure/queue/job-queue.js';
import { QueueSummaryView, QueueView } from './dto/queue-summary.dto.js';

/** Counts and recent failures of every queue, in either runner; never job data. */
@Injectable()
export class QueueSummaryService {
  constructor(@Inject(JOB_QUEUE) private readonly queue: JobQueue) {}

  async summary(): Promise<QueueSummaryView> {
    try {
      const snapshots = await this.queue.snapshot();
      return Object.assign(new QueueSummaryView(), { runner: this.queue.kind, queues: snapshots.map(QueueView.of) });
    } catch (error) {
      if (!(error instanceof JobQueueUnavailableError)) throw error;
      throw new ProblemException(503, 'dependency-unavailable', 'Redis did not answer in time; retry shortly.');
    }
  }
}
