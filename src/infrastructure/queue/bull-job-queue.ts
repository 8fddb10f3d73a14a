import { Logger, OnApplicationShutdown } from '@nestjs/common';
import Bull from 'bull';
import { Tracing } from '../tracing/tracing.js';
import { DEFAULT_ATTEMPTS, JobHandler, JobOptions, JobQueue, RETRY_BASE_DELAY_MS, WorkerOptions } from './job-queue.js';
import { tracedJob } from './traced-job.js';

/** Callers record durable work in Postgres first, so a queue that cannot take a job must say so quickly. */
const ENQUEUE_TIMEOUT_MS = 2_000;

/** Bull queues on Redis, one per job name, created on first use and closed on shutdown. */
export class BullJobQueue implements JobQueue, OnApplicationShutdown {
  readonly kind = 'bull' as const;
  private readonly logger = new Logger('Jobs');
  private readonly queues = new Map<string, Bull.Queue>();

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly tracing: Tracing = Tracing.off,
  ) {}

  get names(): string[] {
    return [...this.queues.keys()];
  }

  process<T>(name: string, handler: JobHandler<T>, options: WorkerOptions = {}): void {
    const run = tracedJob(this.tracing, this.kind, name, handler);
    // The returned promise rejects when Redis is unreachable at boot; the queue's 'error' listener logs it.
    this.queue(name)
      .process(options.concurrency ?? 1, (job: Bull.Job<T>) => run({ data: job.data, attempt: job.attemptsMade + 1 }))
      .catch(() => undefined);
  }

  /** Rejects after ENQUEUE_TIMEOUT_MS rather than waiting for Redis to come back. */
  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const added = this.queue(name).add(data, {
      jobId: options.jobId,
      delay: options.delayMs,
      attempts: options.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: RETRY_BASE_DELAY_MS },
      removeOnComplete: true,
      // Bull ignores an add whose id is taken, failed jobs included: keep those only when id-less.
      removeOnFail: options.jobId ? true : 1000,
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`job queue unavailable: ${name} not enqueued`)), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async repeat<T>(name: string, everyMs: number, data: T): Promise<void> {
    await this.queue(name).add(data, { repeat: { every: everyMs }, jobId: `${name}:repeat`, removeOnComplete: true });
  }

  async backlog(name: string): Promise<number> {
    const counts = await this.queue(name).getJobCounts();
    return counts.waiting + counts.delayed;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.queues.values()].map(async (queue) => {
        await queue.close().catch(() => undefined);
        // A queue that never reached Redis keeps its clients reconnecting after close(); stop them.
        // Only those: disconnecting a closed client arms a 2 s timer nothing clears.
        for (const client of queue.clients) if (client.status !== 'end') client.disconnect();
      }),
    );
  }

  private queue(name: string): Bull.Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Bull(name, this.redisUrl, { prefix: this.prefix });
      queue.on('error', (error) => this.logger.warn(`queue ${name}: ${error.message}`));
      queue.on('failed', (_job, error) => this.logger.warn(`job ${name} attempt failed: ${error.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }
}
