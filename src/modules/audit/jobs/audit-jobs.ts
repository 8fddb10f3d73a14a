import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { JOB_QUEUE, type JobQueue } from '../../../infrastructure/queue/job-queue.js';
import { AuditClock } from '../audit-clock.js';
import { AuditGuards } from '../audit-guards.js';
import { AuditDataKeys } from '../audit-data-keys.js';
import { AuditPartitions } from '../audit-partitions.js';
import { AuditCheckpoints } from '../checkpoints/audit-checkpoints.js';
import { AuditRetention } from './audit-retention.js';

export const AUDIT_CHECKPOINT_JOB = 'audit.checkpoint';
export const AUDIT_MAINTENANCE_JOB = 'audit.maintenance';
const MONTHS_AHEAD = 3;

/**
 * Schedules the trail's background work: signed checkpoints every AUDIT_CHECKPOINT_INTERVAL_MS, and
 * maintenance every AUDIT_MAINTENANCE_INTERVAL_MS, daily by default (partitions and audit data keys
 * for the next months, then retention). Partitions are also ensured at boot so the first append
 * never lacks one, and a checkpoint is written at boot so a restart after downtime does not leave
 * verify reporting a stale checkpoint until the first periodic one.
 */
@Injectable()
export class AuditJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuditJobs');

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly config: AppConfig,
    private readonly clock: AuditClock,
    private readonly partitions: AuditPartitions,
    private readonly checkpoints: AuditCheckpoints,
    private readonly retention: AuditRetention,
    private readonly guards: AuditGuards,
    private readonly dataKeys: AuditDataKeys,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintain().catch((error: Error) => this.logger.warn(`partition maintenance failed: ${error.message}`));
    await this.checkpoints
      .writePeriodic()
      .catch((error: Error) => this.logger.warn(`boot checkpoint failed: ${error.message}`));
    await this.warnAboutGuards().catch((error: Error) =>
      this.logger.warn(`audit guard check failed: ${error.message}`),
    );
    this.queue.process(AUDIT_CHECKPOINT_JOB, async () => {
      await this.checkpoints.writePeriodic();
    });
    this.queue.process(AUDIT_MAINTENANCE_JOB, () => this.maintain());
    // Not awaited: with Redis down, Bull's add waits for a connection, and boot must not.
    this.schedule(AUDIT_CHECKPOINT_JOB, this.config.audit.checkpointIntervalMs);
    this.schedule(AUDIT_MAINTENANCE_JOB, this.config.audit.maintenanceIntervalMs);
  }

  private async warnAboutGuards(): Promise<void> {
    if (!(await this.guards.warnings()).length) return;
    this.logger.warn(
      'audit trail: the DETACH/DROP guard (event triggers audit_guard_alter, audit_guard_drop) is missing, ' +
        'because migrations ran as a role that is not superuser; a superuser should create them (docs/audit.md)',
    );
  }

  private schedule(name: string, everyMs: number): void {
    this.queue
      .repeat(name, everyMs, {})
      .catch((error: Error) => this.logger.warn(`scheduling ${name} failed: ${error.message}`));
  }

  private async maintain(): Promise<void> {
    await this.partitions.ensure(this.clock.now(), MONTHS_AHEAD);
    await this.dataKeys.ensure(this.clock.now());
    await this.retention.run();
  }
}
