import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { JOB_QUEUE, type JobQueue } from '../../../infrastructure/queue/job-queue.js';
import { CLOCK, type Clock } from '../clock.js';
import { SessionRepository } from '../session.repository.js';
import { SESSION_STORE, type SessionStore } from '../stores/session-store.js';

export const SESSION_SYNC_JOB = 'sessions.sync-activity';
export const SESSION_CLEANUP_JOB = 'sessions.cleanup';

/** Ended sessions are kept this long after expiry or revocation (for "why was I logged out?"). */
const RETENTION_MS = 24 * 60 * 60 * 1000;

/** Repeatable jobs: last-activity from Redis to Postgres, and deletion of ended sessions. */
@Injectable()
export class SessionMaintenanceJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger('SessionJobs');

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly sessions: SessionRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process(SESSION_SYNC_JOB, () => this.syncActivity().then(() => undefined));
    this.queue.process(SESSION_CLEANUP_JOB, () => this.cleanup().then(() => undefined));
    // Not awaited: with Redis down at boot, Bull would hold startup until it reconnects.
    const schedule = (name: string, everyMs: number) =>
      this.queue
        .repeat(name, everyMs, {})
        .catch((error: Error) => this.logger.warn(`cannot schedule ${name}: ${error.message}`));
    void schedule(SESSION_SYNC_JOB, this.config.sessions.syncIntervalMs);
    void schedule(SESSION_CLEANUP_JOB, this.config.sessions.cleanupIntervalMs);
  }

  async syncActivity(): Promise<number> {
    const synced = await this.store.syncActivity();
    if (synced) this.logger.debug(`synced last activity of ${synced} sessions`);
    return synced;
  }

  async cleanup(): Promise<number> {
    const deleted = await this.sessions.deleteEnded(new Date(this.clock.now().getTime() - RETENTION_MS));
    if (deleted) this.logger.log(`deleted ${deleted} ended sessions`);
    return deleted;
  }
}
