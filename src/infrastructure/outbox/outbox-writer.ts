import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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
 * consumer of the event's type, and asks the relay to drain once that transaction has committed.
 */
@Injectable()
export class OutboxWriter {
  /** Transactions that already asked for a drain: a request appending several events asks once. */
  private readonly drainAsked = new WeakSet<EntityManager>();

  constructor(
    private readonly transactions: TransactionContext,
    private readonly consumers: OutboxConsumerRegistry,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  append(type: string, aggregateId: string, payload: Record<string, unknown>): Promise<void> {
    return this.appendMany(type, [{ aggregateId, payload }]);
  }

  /**
   * One statement for any number of events (bulk ingest appends thousands at once). The events go
   * as one JSON document: serializing it is native, where a `jsonb[]` parameter was escaped
   * element by element in JavaScript.
   */
  async appendMany(type: string, entries: OutboxEntry[]): Promise<void> {
    if (!entries.length) return;
    const consumers = this.consumers.namesFor(type);
    await this.transactions.manager.query(
      `WITH inserted AS (
         INSERT INTO outbox_events (type, aggregate_id, payload)
         SELECT $1, entry.aggregate_id, entry.payload
         FROM ROWS FROM (json_to_recordset($2::json) AS (aggregate_id uuid, payload jsonb))
           WITH ORDINALITY AS entry(aggregate_id, payload, n)
         ORDER BY entry.n
         RETURNING id, aggregate_id)
       INSERT INTO outbox_deliveries (event_id, consumer, aggregate_id)
       SELECT inserted.id, consumer, inserted.aggregate_id FROM inserted CROSS JOIN unnest($3::text[]) AS consumer`,
      [
        type,
        JSON.stringify(entries.map((entry) => ({ aggregate_id: entry.aggregateId, payload: entry.payload }))),
        consumers,
      ],
    );
    if (!consumers.length) return;
    if (this.transactions.active) {
      if (this.drainAsked.has(this.transactions.manager)) return;
      this.drainAsked.add(this.transactions.manager);
    }
    await this.transactions.afterCommit(() => {
      // Fire and forget: the relay's poll delivers anyway if the queue is unavailable.
      this.queue.add(OUTBOX_DRAIN_JOB, {}, { jobId: 'drain', attempts: 1 }).catch(() => undefined);
    });
  }
}
