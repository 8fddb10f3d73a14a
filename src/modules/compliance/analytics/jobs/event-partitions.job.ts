import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JOB_QUEUE, type JobQueue } from '../../../../infrastructure/queue/job-queue.js';
import { EventPartitions } from './event-partitions.js';

export const EVENT_PARTITIONS_JOB = 'compliance.event-partitions';
const EVERY_MS = 6 * 3_600_000;

/** Runs partition maintenance at boot and every six hours (one schedule across replicas under Bull). */
@Injectable()
export class EventPartitionsJob implements OnApplicationBootstrap {
  private readonly logger = new Logger('EventPartitions');

  constructor(
    private readonly partitions: EventPartitions,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.queue.process(EVENT_PARTITIONS_JOB, () => this.run());
    // Not awaited: with Redis down, Bull waits for a connection and the boot must not.
    void this.queue.repeat(EVENT_PARTITIONS_JOB, EVERY_MS, {}).catch((error: Error) => this.warn(error));
    await this.run().catch((error: Error) => this.warn(error));
  }

  private async run(): Promise<void> {
    const { created, dropped } = await this.partitions.maintain();
    if (created.length || dropped.length) {
      this.logger.log(`created ${created.length} and dropped ${dropped.length} event partitions`);
    }
  }

  private warn(error: Error): void {
    this.logger.warn(`partition maintenance failed: ${error.message}`);
  }
}
