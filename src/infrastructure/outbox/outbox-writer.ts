import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionContext } from '../database/transaction-context.js';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue.js';
import { OutboxConsumerRegistry } from './outbox-consumer.js';
import { QueryOwner } from '../database/query-owner.js';

export const OUTBOX_DRAIN_JOB = 'outbox.drain';

export interface OutboxEntry {
  aggregateId: string;
  payload: Record<string, unknown>;
}

/**
 * Appends events in the caller's transaction (TransactionContext.manager), one delivery row per
 * consumer of the event's type, and asks the relay to drain once that transaction has committed.
 */
@QueryOwner()
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
   * Several events go in one batch row whatever their number (bulk ingest appends 10,000): one
   * `json` value Postgres only checks, and one delivery per consumer. Per-event rows and their
   * deliveries cost more than inserting the records themselves.
   */
  async appendMany(type: string, entries: OutboxEntry[]): Promise<void> {
    await this.prepareMany(type, entries)();
  }

  /**
   * `appendMany` in two halves, for `pipelined`: the events are serialized now (3.8 MB of JSON for
   * a 10,000-record bulk), while Postgres still runs the statement before; the returned function
   * sends them.
   */
  prepareMany(type: string, entries: OutboxEntry[]): () => Promise<void> {
    if (!entries.length) return () => Promise.resolve();
    const consumers = this.consumers.namesFor(type);
    const [single] = entries.length === 1 ? entries : [];
    const payload = JSON.stringify(single ? single.payload : entries);
    return async () => {
      // A batch row (no aggregate id) takes its events' ids from the sequence single events use.
      await this.transactions.manager.query(
        `WITH inserted AS (
           INSERT INTO outbox_events (type, aggregate_id, payload, entry_ids)
           SELECT $1, $2::uuid, $3::json, CASE WHEN $2::uuid IS NULL
             THEN ARRAY(SELECT nextval('outbox_events_id_seq') FROM generate_series(1, $4::int)) END
           RETURNING id, aggregate_id, coalesce(cardinality(entry_ids), 1) AS event_count)
         INSERT INTO outbox_deliveries (event_id, consumer, aggregate_id, event_count)
         SELECT inserted.id, consumer, inserted.aggregate_id, inserted.event_count
         FROM inserted CROSS JOIN unnest($5::text[]) AS consumer`,
        [type, single?.aggregateId ?? null, payload, entries.length, consumers],
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
    };
  }
}
