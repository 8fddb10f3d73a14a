import { Inject, Injectable } from '@nestjs/common';
import { TransactionContext } from '../database/transaction-context.js';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue.js';
import { OutboxConsumerRegistry } from './outbox-consumer.js';

export const OUTBOX_DRAIN_JOB = 'outbox.drain';

export interface OutboxEntry {
  aggregateId: string;
  payload: Record<string, unknown>;
}

/**
 * Appends events in the caller's transaction (TransactionContext.manager), one delivery row per
 * registered consumer, and asks the relay to drain once that transaction has committed.
 */
@Injectable()
export class OutboxWriter {
  constructor(
    private readonly transactions: TransactionContext,
    private readonly consumers: OutboxConsumerRegistry,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  append(type: string, aggregateId: string, payload: Record<string, unknown>): Promise<void> {
    return this.appendMany(type, [{ aggregateId, payload }]);
  }

  /** One statement for any number of events (bulk ingest appends thousands at once). */
  async appendMany(type: string, entries: OutboxEntry[]): Promise<void> {
    if (!entries.length) return;
    await this.transactions.manager.query(
      `WITH inserted AS (
         INSERT INTO outbox_events (type, aggregate_id, payload)
         SELECT $1, entry.aggregate_id, entry.payload
         FROM unnest($2::uuid[], $3::jsonb[]) WITH ORDINALITY AS entry(aggregate_id, payload, n)
         ORDER BY entry.n
         RETURNING id, aggregate_id)
       INSERT INTO outbox_deliveries (event_id, consumer, aggregate_id)
       SELECT inserted.id, consumer, inserted.aggregate_id FROM inserted CROSS JOIN unnest($4::text[]) AS consumer`,
      [
        type,
        entries.map((entry) => entry.aggregateId),
        entries.map((entry) => JSON.stringify(entry.payload)),
        this.consumers.names,
      ],
    );
    await this.transactions.afterCommit(() => {
      // Fire and forget: the relay's poll delivers anyway if the queue is unavailable.
      this.queue.add(OUTBOX_DRAIN_JOB, {}, { jobId: 'drain', attempts: 1 }).catch(() => undefined);
    });
  }
}
