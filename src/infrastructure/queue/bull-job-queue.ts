import { Logger, OnApplicationShutdown } from '@nestjs/common';
import Bull from 'bull';
import { Tracing } from '../tracing/tracing.js';
import type { RedisClient, RedisClients } from '../redis/redis-clients.js';
import {
  DEFAULT_ATTEMPTS,
  failureReason,
  JobHandler,
  JobOptions,
  JobQueue,
  QueueSnapshot,
  RECENT_FAILURES,
  RETRY_BASE_DELAY_MS,
  WorkerOptions,
} from './job-queue.js';
import { withinQueueTimeout } from './queue-timeout.js';
import { tracedJob } from './traced-job.js';

/** An interval's claim outlives Bull's recovery of a stalled run (lock and stalled check, 30 s each). */
const CLAIM_MIN_MS = 300_000;

/**
 * Reconnect pace, never giving up: at most 5 s apart, like the app's own client, so the queues
 * resume soon after Redis returns (Bull's default backs off to 20 s).
 */
const bullRetry = (attempt: number) => Math.min(attempt * 200, 5_000);

/**
 * Bull queues on Redis, one per job name, created on first use and closed on shutdown. Their
 * clients come from `RedisClients` (Bull's own URL parsing would drop rediss:// and knows neither
 * Sentinel nor Cluster), and are closed here: Bull leaves clients it did not create open.
 *
 * On a Cluster every key of a queue must hash to one slot (Bull's scripts touch several), so the
 * queue's Redis name is a hash tag, `{name}`: keys `<prefix>:{name}:…`, one slot per queue, and
 * different queues spread over the masters.
 */
export class BullJobQueue implements JobQueue, OnApplicationShutdown {
  readonly kind = 'bull' as const;
  private readonly logger = new Logger('Jobs');
  private readonly queues = new Map<string, Bull.Queue>();
  private readonly clients: { type: string; client: RedisClient }[] = [];

  constructor(
    private readonly redis: RedisClients,
    private readonly prefix: string,
    private readonly tracing: Tracing = Tracing.off,
    private readonly closeTimeoutMs = 5_000,
  ) {}

  get names(): string[] {
    return [...this.queues.keys()];
  }

  /** The Bull queues themselves, for the admin dashboard (bull-board reads and operates them). */
  get bullQueues(): Bull.Queue[] {
    return [...this.queues.values()];
  }

  process<T>(name: string, handler: JobHandler<T>, options: WorkerOptions = {}): void {
    const run = tracedJob(this.tracing, this.kind, name, handler);
    // The returned promise rejects when Redis is unreachable at boot; the queue's 'error' listener logs it.
    this.queue(name)
      .process(options.concurrency ?? 1, async (job: Bull.Job<T>) => {
        const attempt = job.attemptsMade + 1;
        // The id names a repeatable job's interval (`repeat:<hash>:<ms>`): these lines show which
        // replica ran which interval, across processes.
        if (job.opts.repeat && !(await this.claimInterval(name, job))) {
          this.logger.debug(`job ${name} ${String(job.id)} attempt ${attempt} skipped: its interval has run`);
          return;
        }
        this.logger.debug(`job ${name} ${String(job.id)} attempt ${attempt} started`);
        await run({ data: job.data, attempt });
        this.logger.debug(`job ${name} ${String(job.id)} attempt ${attempt} done`);
      })
      .catch(() => undefined);
  }

  /** Rejects after QUEUE_TIMEOUT_MS rather than waiting for Redis to come back. */
  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    const added = this.queue(name).add(data, {
      jobId: options.jobId,
      delay: options.delayMs,
      attempts: options.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: RETRY_BASE_DELAY_MS },
      removeOnComplete: true,
      // Bull ignores an add whose id is taken, failed jobs included: keep those only when id-less.
      removeOnFail: options.jobId ? true : 1000,
    });
    await withinQueueTimeout(added, `job queue unavailable: ${name} not enqueued`);
  }

  async repeat<T>(name: string, everyMs: number, data: T): Promise<void> {
    await this.queue(name).add(data, { repeat: { every: everyMs }, jobId: `${name}:repeat`, removeOnComplete: true });
  }

  async backlog(name: string): Promise<number> {
    const counts = await this.queue(name).getJobCounts();
    return counts.waiting + counts.delayed;
  }

  /** Rejects after QUEUE_TIMEOUT_MS too: an admin's page must not hang while Redis is away. */
  async snapshot(): Promise<QueueSnapshot[]> {
    const names = this.names.sort((a, b) => a.localeCompare(b));
    return withinQueueTimeout(
      Promise.all(names.map((name) => this.snapshotOf(name))),
      'job queue unavailable: no snapshot',
    );
  }

  /**
   * Bull's close waits for running jobs, and a job waits for Redis. Past `closeTimeoutMs` the
   * clients are cut instead: Bull's stalled check hands an interrupted job out again.
   */
  async onApplicationShutdown(): Promise<void> {
    await withinQueueTimeout(
      Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined))),
      'queues still closing',
      this.closeTimeoutMs,
    ).catch(() => undefined);
    await Promise.all(
      this.clients.map(async ({ type, client }) => {
        // Skip ended ones: disconnecting a closed client arms a 2 s timer nothing clears.
        if (client.status === 'end') return;
        // The blocking client may sit in BRPOPLPUSH, and one that never reached Redis would wait: cut those.
        if (type === 'bclient' || client.status !== 'ready') return client.disconnect();
        await client.quit().catch(() => client.disconnect());
      }),
    );
  }

  /**
   * One run per interval across replicas. Bull hands an interval's job out again when a replica
   * registers the schedule a moment before the interval's slot and adds the job just after its run
   * completed and was removed (a boot at the slot boundary; measured in the replicas drill), and
   * when it takes over a stalled run. The first run of an interval claims it; later ones skip.
   */
  private async claimInterval(name: string, job: Bull.Job): Promise<boolean> {
    const everyMs = (job.opts.repeat as { every?: number } | undefined)?.every ?? 0;
    const key = this.queue(name).toKey(`ran:${String(job.id)}`);
    const claimed = await this.queue(name).client.set(key, '1', 'PX', Math.max(2 * everyMs, CLAIM_MIN_MS), 'NX');
    return claimed === 'OK';
  }

  private async snapshotOf(name: string): Promise<QueueSnapshot> {
    const queue = this.queue(name);
    const [counts, failed] = await Promise.all([queue.getJobCounts(), queue.getFailed(0, RECENT_FAILURES - 1)]);
    return {
      name,
      waiting: counts.waiting,
      active: counts.active,
      delayed: counts.delayed,
      completed: counts.completed,
      failed: counts.failed,
      // A job removed between the two reads comes back as null.
      recentFailures: failed.filter(Boolean).map((job) => ({
        jobId: job.id === undefined ? null : String(job.id),
        attempts: job.attemptsMade,
        failedAt: new Date(job.finishedOn ?? job.timestamp),
        reason: failureReason(job.failedReason),
      })),
    };
  }

  private queue(name: string): Bull.Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      const redisName = this.redis.topology === 'cluster' ? `{${name}}` : name;
      queue = new Bull(redisName, { prefix: this.prefix, createClient: (type) => this.client(name, type) });
      queue.on('error', (error) => this.logger.warn(`queue ${name}: ${error.message}`));
      queue.on('failed', (_job, error) => this.logger.warn(`job ${name} attempt failed: ${error.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Bull's requirements: no ready check; no retry limit on the subscriber and the blocking client. */
  private client(queue: string, type: 'client' | 'subscriber' | 'bclient'): RedisClient {
    const client = this.redis.create(`queue:${queue}:${type}`, {
      enableReadyCheck: false,
      maxRetriesPerRequest: type === 'client' ? undefined : null,
      retryStrategy: bullRetry,
    });
    this.clients.push({ type, client });
    return client;
  }
}
