import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { JobQueue } from '../../../../infrastructure/queue/job-queue.js';
import { sampleAtScrape } from '../../../metrics/scrape-time-gauge.js';
import type { Queryable } from '../layout/events-layout.js';
import { policyProblems, timescalePolicies } from '../layout/timescale-layout.js';
import type { EventsRetention, RetentionReport } from './events-retention.js';
import { assessPolicyJobs, countByPolicy, type PolicyJobHealth } from './policy-job-health.js';
import type { TimescaleJobMetrics } from './timescale-job.metrics.js';
import type { TimescaleJobs } from './timescale-jobs.js';

export const TIMESCALE_MAINTENANCE_JOB = 'compliance.timescale-maintenance';
/** The hourly aggregate's refresh interval, the shortest of the policies. */
const EVERY_MS = 10 * 60_000;
const MESSAGE_MAX = 300;

/**
 * TimescaleDB layout: retention, compression and refresh are the extension's policies. At boot
 * this checks they exist and logs any failing job; every 10 minutes (one schedule across replicas
 * under Bull) it also runs itself, with `CALL run_job`, the jobs TimescaleDB has not completed for
 * three intervals (on a 2.28 server every job ended `Failed` after doing its work), and analyzes
 * compressed chunks that have no statistics yet.
 */
export class TimescaleMaintenanceJob implements EventsRetention, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TimescaleMaintenance');
  private readonly firstSeenWithoutSuccess = new Map<number, Date>();
  private readonly ranByApp = new Map<number, Date>();
  private uninstall: (() => void)[] = [];

  constructor(
    private readonly db: Queryable,
    private readonly jobs: TimescaleJobs,
    private readonly queue: JobQueue,
    private readonly metrics: TimescaleJobMetrics,
    private readonly retentionDays: number,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.uninstall = [
      sampleAtScrape(this.metrics.failing, async (gauge) => {
        for (const [policy, n] of countByPolicy(await this.health(), (job) => job.failing)) gauge.set({ policy }, n);
      }),
      sampleAtScrape(this.metrics.overdue, async (gauge) => {
        for (const [policy, n] of countByPolicy(await this.health(), (job) => job.overdue)) gauge.set({ policy }, n);
      }),
    ];
    this.queue.process(TIMESCALE_MAINTENANCE_JOB, async () => {
      await this.maintain();
    });
    // Not awaited: with Redis down, Bull waits for a connection and the boot must not.
    void this.queue.repeat(TIMESCALE_MAINTENANCE_JOB, EVERY_MS, {}).catch((error: Error) => this.warn(error));
    await this.check().catch((error: Error) => this.warn(error));
  }

  onApplicationShutdown(): void {
    for (const uninstall of this.uninstall) uninstall();
  }

  /** Policies and job outcomes, logged; changes nothing. */
  async check(now = new Date()): Promise<string> {
    const problems = policyProblems(await timescalePolicies(this.db), this.retentionDays);
    if (problems.length) this.logger.warn(`TimescaleDB policies: ${problems.join('; ')}`);
    const troubled = (await this.health(now)).filter((job) => job.failing || job.overdue);
    if (troubled.length) this.logger.warn(`TimescaleDB jobs: ${troubled.map(describe).join('; ')}`);
    if (!problems.length && !troubled.length) return 'TimescaleDB policies present, their jobs succeeding';
    return `${problems.length} policy problems, ${troubled.length} jobs failing or overdue`;
  }

  async maintain(now = new Date()): Promise<string> {
    const checked = await this.check(now);
    const done = await this.jobs.exclusively(async (db) => {
      const ran = await this.runOverdue(db, now);
      const analyzed = await this.analyzeCompressedChunks(db);
      return `ran ${ran} overdue jobs, analyzed ${analyzed} compressed chunks`;
    });
    return `${checked}; ${done ?? 'another replica is maintaining'}`;
  }

  async report(now = new Date()): Promise<RetentionReport> {
    const health = await this.health(now);
    return {
      degraded: health.some((job) => job.failing || job.overdue),
      details: {
        jobs: health.map(({ job, policy, failing, overdue }) => ({
          jobId: job.jobId,
          policy,
          relation: job.relation,
          lastRunStatus: job.lastRunStatus,
          lastSuccessAt: job.lastSuccessAt?.toISOString() ?? null,
          failing,
          overdue,
          ...(failing ? { lastErrorCode: job.lastErrorCode } : {}),
          ranByAppAt: this.ranByApp.get(job.jobId)?.toISOString() ?? null,
        })),
      },
    };
  }

  /** Assessed against what this process remembers; starts the overdue clock of jobs never succeeded. */
  async health(now = new Date()): Promise<PolicyJobHealth[]> {
    const stats = await this.jobs.stats(this.db);
    for (const job of stats) {
      if (job.lastSuccessAt) this.firstSeenWithoutSuccess.delete(job.jobId);
      else if (!this.firstSeenWithoutSuccess.has(job.jobId)) this.firstSeenWithoutSuccess.set(job.jobId, now);
    }
    return assessPolicyJobs(stats, now, {
      firstSeenWithoutSuccess: this.firstSeenWithoutSuccess,
      ranByApp: this.ranByApp,
    });
  }

  /** One failing job does not stop the others; each is counted by its outcome. */
  private async runOverdue(db: Queryable, now: Date): Promise<number> {
    const due = (await this.health(now)).filter((job) => job.runByApp);
    for (const { job, policy } of due) {
      this.ranByApp.set(job.jobId, now);
      try {
        await this.jobs.run(db, job.jobId);
        this.metrics.appRuns.inc({ policy, result: 'ok' });
        this.logger.log(`ran overdue TimescaleDB job ${job.jobId} (${job.kind} on ${job.relation})`);
      } catch (error) {
        this.metrics.appRuns.inc({ policy, result: 'error' });
        this.logger.warn(`running TimescaleDB job ${job.jobId} (${job.kind}) failed: ${(error as Error).message}`);
      }
    }
    return due.length;
  }

  private async analyzeCompressedChunks(db: Queryable): Promise<number> {
    const relations = await this.jobs.compressedChunksWithoutStatistics(db);
    for (const relation of relations) await this.jobs.analyze(db, relation);
    return relations.length;
  }

  private warn(error: Error): void {
    this.logger.warn(`TimescaleDB maintenance failed: ${error.message}`);
  }
}

function describe({ job, failing, overdue }: PolicyJobHealth): string {
  const state = [failing && 'last run failed', overdue && 'overdue'].filter(Boolean).join(' and ');
  const error =
    failing && job.lastErrorCode ? ` (${job.lastErrorCode}: ${job.lastErrorMessage?.slice(0, MESSAGE_MAX)})` : '';
  return `job ${job.jobId} ${job.kind} on ${job.relation}: ${state}${error}`;
}
