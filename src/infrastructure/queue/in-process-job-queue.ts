import { AsyncResource } from 'node:async_hooks';
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Tracing } from '../tracing/tracing.js';
import {
  DEFAULT_ATTEMPTS,
  failureReason,
  JobFailure,
  JobHandler,
  JobOptions,
  JobQueue,
  QueueSnapshot,
  RECENT_FAILURES,
  retryDelayMs,
  WorkerOptions,
} from './job-queue.js';
import { tracedJob } from './traced-job.js';

interface Pending {
  data: unknown;
  attempt: number;
  attempts: number;
  jobId?: string;
}

interface Worker {
  handler: JobHandler<unknown>;
  concurrency: number;
  running: number;
  waiting: Pending[];
  /** Jobs added with a delay or waiting for a retry: their timer has not fired yet. */
  delayed: number;
  /** Since boot: this runner keeps no finished jobs, only counts them. */
  completed: number;
  failed: number;
  failures: JobFailure[];
}

/** The embedded default's job runner: same contract as Bull, state in memory, timers unref'd. */
export class InProcessJobQueue implements JobQueue, OnApplicationShutdown {
  readonly kind = 'in-process' as const;
  private readonly logger = new Logger('Jobs');
  private readonly workers = new Map<string, Worker>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pendingIds = new Set<string>();
  private stopped = false;
  /**
   * The async context the queue was built in (boot). Jobs run in it, as a Bull worker's would, not
   * in the one that added them: that may be a request whose transaction is over by then.
   */
  private readonly root = new AsyncResource('InProcessJobQueue');

  constructor(private readonly tracing: Tracing = Tracing.off) {}

  get names(): string[] {
    return [...this.workers.keys()];
  }

  process<T>(name: string, handler: JobHandler<T>, options: WorkerOptions = {}): void {
    if (this.workers.has(name)) throw new Error(`a handler for ${name} is already registered`);
    this.workers.set(name, {
      handler: tracedJob(this.tracing, this.kind, name, handler as JobHandler<unknown>),
      concurrency: options.concurrency ?? 1,
      running: 0,
      waiting: [],
      delayed: 0,
      completed: 0,
      failed: 0,
      failures: [],
    });
  }

  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    if (options.jobId) {
      const key = `${name}:${options.jobId}`;
      if (this.pendingIds.has(key)) return;
      this.pendingIds.add(key);
    }
    const job: Pending = { data, attempt: 1, attempts: options.attempts ?? DEFAULT_ATTEMPTS, jobId: options.jobId };
    this.schedule(name, job, options.delayMs ?? 0);
  }

  async repeat<T>(name: string, everyMs: number, data: T): Promise<void> {
    const tick = () => {
      void this.add(name, data, { jobId: 'repeat', attempts: 1 });
      this.later(everyMs, tick);
    };
    this.later(everyMs, tick);
  }

  async backlog(name: string): Promise<number> {
    return this.workers.get(name)?.waiting.length ?? 0;
  }

  async snapshot(): Promise<QueueSnapshot[]> {
    return [...this.workers]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, worker]) => ({
        name,
        waiting: worker.waiting.length,
        active: worker.running,
        delayed: worker.delayed,
        completed: worker.completed,
        failed: worker.failed,
        recentFailures: worker.failures.map((failure) => ({ ...failure })).reverse(),
      }));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private enqueue(name: string, job: Pending): void {
    const worker = this.workers.get(name);
    if (!worker) {
      this.logger.warn(`no handler for job ${name}; dropped`);
      return;
    }
    worker.waiting.push(job);
    this.drain(name, worker);
  }

  private drain(name: string, worker: Worker): void {
    while (!this.stopped && worker.running < worker.concurrency && worker.waiting.length) {
      const job = worker.waiting.shift() as Pending;
      worker.running++;
      void this.run(name, worker, job);
    }
  }

  private async run(name: string, worker: Worker, job: Pending): Promise<void> {
    if (job.jobId) this.pendingIds.delete(`${name}:${job.jobId}`);
    try {
      await worker.handler({ data: job.data, attempt: job.attempt });
      worker.completed++;
    } catch (error) {
      if (job.attempt < job.attempts) {
        this.schedule(name, { ...job, attempt: job.attempt + 1 }, retryDelayMs(job.attempt));
      } else {
        const { message } = error as Error;
        this.logger.error(`job ${name} failed after ${job.attempt} attempts: ${message}`);
        this.giveUp(worker, job, message);
      }
    } finally {
      worker.running--;
      this.drain(name, worker);
    }
  }

  private giveUp(worker: Worker, job: Pending, message: string | undefined): void {
    worker.failed++;
    worker.failures.push({
      jobId: job.jobId ?? null,
      attempts: job.attempt,
      failedAt: new Date(),
      reason: failureReason(message),
    });
    if (worker.failures.length > RECENT_FAILURES) worker.failures.shift();
  }

  /** A job with a delay counts as delayed on its queue until its timer fires. */
  private schedule(name: string, job: Pending, delayMs: number): void {
    if (this.stopped) return;
    const worker = delayMs > 0 ? this.workers.get(name) : undefined;
    if (worker) worker.delayed++;
    this.later(delayMs, () => {
      if (worker) worker.delayed--;
      this.enqueue(name, job);
    });
  }

  private later(delayMs: number, run: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.root.runInAsyncScope(run);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }
}
