import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { AuditCheckpoints } from './audit-checkpoints.js';

/**
 * The event half of the checkpoint cadence: after AUDIT_CHECKPOINT_EVERY_EVENTS committed events
 * (counted by this replica) a checkpoint is written at once, without waiting for the periodic job.
 */
@Injectable()
export class CheckpointCadence implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoints');
  private sinceLast = 0;
  private writing?: Promise<void>;

  constructor(
    private readonly config: AppConfig,
    private readonly checkpoints: AuditCheckpoints,
  ) {}

  /** Called once events have committed; never throws, never waits for the checkpoint. */
  committed(events: number): void {
    this.sinceLast += events;
    if (this.writing || this.sinceLast < this.config.audit.checkpointEveryEvents) return;
    this.sinceLast = 0;
    this.writing = this.checkpoints
      .writePeriodic()
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn(`checkpoint after ${events} events failed: ${error.message}`))
      .finally(() => (this.writing = undefined));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.writing;
  }
}
