/** What a job handler receives; `attempt` starts at 1. */
export interface JobContext<T> {
  data: T;
  attempt: number;
}

export type JobHandler<T> = (job: JobContext<T>) => Promise<void>;

export interface JobOptions {
  /** Jobs with the same id are enqueued once while one is pending (deduplication). */
  jobId?: string;
  delayMs?: number;
  /** Total tries before the job is given up (default 5). */
  attempts?: number;
}

export interface WorkerOptions {
  concurrency?: number;
}

/** A job that was given up after its last attempt; never its data, which is the caller's. */
export interface JobFailure {
  jobId: string | null;
  attempts: number;
  failedAt: Date;
  /** The error's message, the same text the job's log line carries, cut to FAILURE_REASON_MAX_LENGTH code points. */
  reason: string;
}

/** What an operator may see of one queue: how many jobs are where, and the latest failures. */
export interface QueueSnapshot {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  /** Newest first, at most RECENT_FAILURES. */
  recentFailures: JobFailure[];
}

/** The queue's backend did not answer in time (Redis down); callers answer 503. */
export class JobQueueUnavailableError extends Error {}

/**
 * Background work, behind one interface: Bull on Redis when Redis is configured (REDIS_URL,
 * REDIS_SENTINELS or REDIS_CLUSTER_NODES), an in-process runner otherwise. Work that must never be lost is recorded in Postgres first (outbox, rotation progress);
 * a queued job is only the trigger, so a queue outage delays work but loses none.
 */
export interface JobQueue {
  readonly kind: 'bull' | 'in-process';
  /** Queue names this process has used, for metrics. */
  readonly names: string[];
  /** Registers the handler for a queue name; call once per name, at boot. */
  process<T>(name: string, handler: JobHandler<T>, options?: WorkerOptions): void;
  add<T>(name: string, data: T, options?: JobOptions): Promise<void>;
  /** Runs `name` every `everyMs`; one schedule per name across all replicas under Bull. */
  repeat<T>(name: string, everyMs: number, data: T): Promise<void>;
  /** Jobs waiting or delayed, for metrics and health. */
  backlog(name: string): Promise<number>;
  /** Every queue of `names`, sorted by name; rejects with JobQueueUnavailableError when Redis does not answer. */
  snapshot(): Promise<QueueSnapshot[]>;
}

export const JOB_QUEUE = Symbol('JOB_QUEUE');

export const RETRY_BASE_DELAY_MS = 500;
export const DEFAULT_ATTEMPTS = 5;
export const RECENT_FAILURES = 10;
export const FAILURE_REASON_MAX_LENGTH = 200;

/** Cut by code point, so no surrogate pair is split. */
export const failureReason = (message: string | undefined): string =>
  Array.from(message ?? '')
    .slice(0, FAILURE_REASON_MAX_LENGTH)
    .join('');

/**
 * Exponential backoff capped at one minute, its upper half drawn at random: retries of many
 * failures spread out, and none comes back sooner than half its step (full jitter could retry a
 * failing consumer at once, several times in one relay pass).
 */
export function retryDelayMs(attempt: number): number {
  const ceiling = Math.min(60_000, RETRY_BASE_DELAY_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
