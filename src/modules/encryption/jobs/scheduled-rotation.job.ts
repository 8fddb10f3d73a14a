import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JOB_QUEUE, type JobQueue } from '../../../infrastructure/queue/job-queue.js';
import type { RotationRun } from '../encryption-rotation.repository.js';
import { KeyRotationService } from '../key-rotation.service.js';
import { RotationSchedule } from '../rotation-schedule.js';

export const SCHEDULED_ROTATION_JOB = 'encryption.scheduled-rotation';
/** A due key waits at most this long; the check is two small queries. */
const CHECK_EVERY_MS = 60 * 60_000;
/** How soon a replica activates a key another replica rotated to (reading it needs no wait: a miss rereads the file). */
const FOLLOW_EVERY_MS = 60_000;

/**
 * With ENCRYPTION_ROTATION_INTERVAL_DAYS set: checks at boot and hourly (one check per interval
 * across replicas under Bull) whether the active key is older than the interval, and if so
 * rotates through KeyRotationService.rotate, whose advisory lock keeps it to one replica even when
 * two check at once. Every replica also follows the last rotation's key on a timer of its own.
 */
@Injectable()
export class ScheduledRotationJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('KeyRotation');
  private follower?: NodeJS.Timeout;

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly schedule: RotationSchedule,
    private readonly rotation: KeyRotationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.schedule.enabled) return;
    this.queue.process(SCHEDULED_ROTATION_JOB, async () => {
      await this.check();
    });
    // Not awaited: with Redis down, Bull's add waits for a connection, and boot must not.
    this.queue
      .repeat(SCHEDULED_ROTATION_JOB, CHECK_EVERY_MS, {})
      .catch((error: Error) => this.logger.warn(`scheduling rotation checks failed: ${error.message}`));
    this.follower = setInterval(() => {
      this.rotation
        .follow()
        .catch((error: Error) => this.logger.warn(`following the keyring failed: ${error.message}`));
    }, FOLLOW_EVERY_MS).unref();
    await this.check().catch((error: Error) => this.logger.warn(`rotation check failed: ${error.message}`));
  }

  onApplicationShutdown(): void {
    clearInterval(this.follower);
  }

  /** The rotation it started, if the active key was due and no other replica was rotating. */
  async check(): Promise<RotationRun | undefined> {
    await this.rotation.follow();
    await this.schedule.recordBaseline();
    return this.rotation.rotate({ startedBy: 'schedule', activeBefore: this.schedule.dueBefore() });
  }
}
