import { JobQueueUnavailableError } from './job-queue.js';

/** Callers record durable work in Postgres first, so a queue that cannot answer must say so quickly. */
export const QUEUE_TIMEOUT_MS = 2_000;

/** `work`, or a JobQueueUnavailableError once `timeoutMs` has passed (Redis away: ioredis queues commands). */
export async function withinQueueTimeout<T>(
  work: Promise<T>,
  message: string,
  timeoutMs = QUEUE_TIMEOUT_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JobQueueUnavailableError(message)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
