import { Injectable } from '@nestjs/common';

/** One row of the outbox, as a consumer sees it. `id` is a bigint, kept as a string. */
export interface OutboxEvent<P = Record<string, unknown>> {
  id: string;
  type: string;
  aggregateId: string;
  payload: P;
  createdAt: Date;
}

/**
 * Something derived from Postgres (cache, search index, time series). The relay hands it events
 * in order per aggregate. Delivery is at least once: a relay that dies after `handle` but before
 * recording the delivery hands the same events again, so `handle` must be idempotent. Database
 * writes made through `TransactionContext.manager` commit together with the delivery record.
 */
export interface OutboxConsumer {
  /** Stable name; delivery progress is tracked under it. */
  readonly name: string;
  handle(events: OutboxEvent[]): Promise<void>;
}

/** The consumers of this process. Every event appended gets one delivery row per registered consumer. */
@Injectable()
export class OutboxConsumerRegistry {
  private readonly consumers = new Map<string, OutboxConsumer>();

  register(consumer: OutboxConsumer): void {
    if (this.consumers.has(consumer.name)) throw new Error(`outbox consumer ${consumer.name} is already registered`);
    this.consumers.set(consumer.name, consumer);
  }

  get names(): string[] {
    return [...this.consumers.keys()];
  }

  get all(): OutboxConsumer[] {
    return [...this.consumers.values()];
  }
}
