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
  /** The event types it is handed; events of other types get no delivery row for it. */
  readonly types: readonly string[];
  /**
   * Opt-in strict order: events are handed over in outbox id order, by one replica at a time, and a
   * failure holds back everything after it until it is delivered or dead-lettered (docs/outbox.md).
   */
  readonly ordered?: boolean;
  handle(events: OutboxEvent[]): Promise<void>;
}

/**
 * Thrown by a consumer whose target cannot take events right now (receiver down, connection refused,
 * timeout, HTTP 5xx or 429): the delivery backs off but never counts towards dead-lettering, so an
 * outage of any length loses nothing. Any other error counts an attempt.
 */
export class DeliveryUnavailable extends Error {
  override readonly name = 'DeliveryUnavailable';
}

/** The consumers of this process. Every outbox row appended gets one delivery row per consumer of its type. */
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

  /** Names of the consumers that take events of `type`. */
  namesFor(type: string): string[] {
    return this.all.filter((consumer) => consumer.types.includes(type)).map((consumer) => consumer.name);
  }

  get all(): OutboxConsumer[] {
    return [...this.consumers.values()];
  }
}
