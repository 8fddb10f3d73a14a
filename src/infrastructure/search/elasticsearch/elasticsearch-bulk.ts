import type { estypes } from '@elastic/elasticsearch';
import type { ElasticsearchService } from '@nestjs/elasticsearch';

/** One bulk action and, for index actions, its document. */
export type BulkOperation = [estypes.BulkOperationContainer, Record<string, unknown>?];

export interface BulkOptions {
  batchSize: number;
  /** Tries for items the cluster rejected under load (429) or failed on its side (5xx). */
  attempts: number;
  backoffMs: (attempt: number) => number;
}

export const DEFAULT_BULK_OPTIONS: BulkOptions = {
  batchSize: 500,
  attempts: 4,
  backoffMs: (attempt) => 200 * 2 ** (attempt - 1),
};

export class BulkRejectedError extends Error {
  override readonly name = 'BulkRejectedError';
}

const retryable = (status: number) => status === 429 || status >= 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends operations in batches and resends only the items that were rejected as retryable. A 409
 * means the index already holds a newer version (external versioning): that item is done.
 */
export async function bulkWrite(
  client: ElasticsearchService,
  operations: BulkOperation[],
  options: BulkOptions = DEFAULT_BULK_OPTIONS,
): Promise<void> {
  for (let start = 0; start < operations.length; start += options.batchSize) {
    let pending = operations.slice(start, start + options.batchSize);
    for (let attempt = 1; pending.length; attempt++) {
      const response = await client.bulk({
        operations: pending.flatMap(([action, doc]) => (doc ? [action, doc] : [action])),
      });
      if (!response.errors) break;
      const failed = response.items.map((item) => Object.values(item)[0] as estypes.BulkResponseItem);
      const fatal = failed.filter((item) => item.error && item.status !== 409 && !retryable(item.status));
      if (fatal.length) {
        throw new BulkRejectedError(`${fatal.length} document(s) rejected: ${fatal[0].error?.type ?? 'unknown error'}`);
      }
      pending = pending.filter((_, i) => failed[i]?.error && retryable(failed[i].status));
      if (pending.length && attempt >= options.attempts) {
        throw new BulkRejectedError(`${pending.length} document(s) still rejected after ${attempt} attempts`);
      }
      if (pending.length) await sleep(options.backoffMs(attempt));
    }
  }
}
