import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { JobQueue } from '../../../../infrastructure/queue/job-queue.js';
import { EventPartitions } from './event-partitions.js';
import type { EventsRetention, RetentionReport } from './events-retention.js';

export const EVENT_PARTITIONS_JOB = 'compliance.event-partitions';

/**
 * Native layout: runs partition maintenance at boot and every COMPLIANCE_EVENTS_PARTITION_INTERVAL_MS
 * (six hours; one schedule across replicas under Bull).
 */
export class EventPartitionsJob implements EventsRetention, OnApplicationBootstrap {
  private readonly logger = new Logger('EventPartitions');

  constructor(
    private readonly partitions: EventPartitions,
    private readonly queue: JobQueue,
    private readonly everyMs: number,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.queue.process(EVENT_PARTITIONS_JOB, async () => {
      await this.maintain();
    });
    // Not awaited: with Redis down, Bull waits for a connection and the boot must not.
    void this.queue.repeat(EVENT_PARTITIONS_JOB, this.everyMs, {}).catch((error: Error) => this.warn(error));
    await this.maintain().catch((error: Error) => this.warn(error));
  }

  async maintain(): Promise<string> {
    const { created, dropped } = await this.partitions.maintain();
    const summary = `created ${created.length} and dropped ${dropped.length} event partitions`;
    if (created.length || dropped.length) this.logger.log(summary);
    return summary;
  }

  /** Its failures are logged; a missing partition only sends rows to the default one. */
  report(): Promise<RetentionReport | undefined> {
    return Promise.resolve(undefined);
  }

  private warn(error: Error): void {
    this.logger.warn(`partition maintenance failed: ${error.message}`);
  }
}
