import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Tracing } from '../tracing/tracing.js';
import { TransactionContext } from '../database/transaction-context.js';
import { JOB_QUEUE, type JobQueue, retryDelayMs } from '../queue/job-queue.js';
import { DeliveryUnavailable, OutboxConsumer, OutboxConsumerRegistry, type OutboxEvent } from './outbox-consumer.js';
import { OutboxGauges } from './outbox-gauges.js';
import { OutboxRepository } from './outbox.repository.js';
import { OUTBOX_DRAIN_JOB } from './outbox-writer.js';

/** Delivered events are kept this long for debugging and replays, then purged by the poll. */
const DELIVERED_RETENTION_HOURS = 24;
const PURGE_EVERY_MS = 3_600_000;
/** Attributes of a round's span (the app's own: no convention covers an outbox). */
const ATTR_OUTBOX_CONSUMER = 'compliance_kit.outbox.consumer';
const ATTR_OUTBOX_ROWS = 'compliance_kit.outbox.rows';

/**
 * Delivers outbox events to every consumer. Each round, per consumer, locks a batch of due
 * deliveries (`FOR UPDATE SKIP LOCKED`, so replicas share the work), hands their events to the
 * consumer and records the delivery in the same transaction. A failing batch is retried row by
 * row, so one poison event is backed off and dead-lettered alone (with the other events of its
 * row, when it came in a batch row). An `ordered` consumer is shipped by one replica at a time, in
 * id order, and its retry stops at the first failing row. Triggered by writes through the job
 * queue, and by a periodic poll as the safety net.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private poll: NodeJS.Timeout | undefined;
  private lastPurgeAt = 0;
  /** Consecutive `DeliveryUnavailable` failures per consumer: the backoff of an outage, not of a row. */
  private readonly unavailable = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly transactions: TransactionContext,
    private readonly outbox: OutboxRepository,
    private readonly consumers: OutboxConsumerRegistry,
    private readonly gauges: OutboxGauges,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly tracing: Tracing = Tracing.off,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process(OUTBOX_DRAIN_JOB, () => this.drain());
    // The poll is per replica on purpose: it must not depend on the queue (or Redis) being healthy.
    this.poll = setInterval(() => void this.pollOnce(), this.config.outbox.pollIntervalMs);
    this.poll.unref();
    void this.drain().catch(this.warn);
  }

  /** Before shutdown proper, when the database connections close: a round in flight finishes first. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    await this.running?.catch(() => undefined);
  }

  /** Delivers everything due; concurrent calls in one process coalesce into one more pass. */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drainUntilIdle().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stats and purge scan the deliveries table, so they run on the poll, not after every write. */
  private async pollOnce(): Promise<void> {
    await this.drain().catch(this.warn);
    if (this.stopped) return;
    await this.gauges.refresh().catch(this.warn);
    if (Date.now() - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = Date.now();
    await this.outbox.purgeDelivered(DELIVERED_RETENTION_HOURS).catch(this.warn);
  }

  private readonly warn = (error: Error) => this.logger.warn(`drain failed: ${error.message}`);

  private async drainUntilIdle(): Promise<void> {
    do {
      this.again = false;
      let delivered: number;
      do {
        delivered = 0;
        for (const consumer of this.consumers.all) {
          if (this.stopped) return;
          delivered += await this.round(consumer);
        }
      } while (delivered > 0);
    } while (this.again && !this.stopped);
  }

  /**
   * One batch for one consumer; returns how many outbox rows were claimed. A round that claims
   * rows is the span `outbox.relay.round` from its start (so idle polls leave no trace behind):
   * the hand-over, and whatever the consumer sends (a SIEM POST carries its `traceparent`), are
   * its children.
   */
  private async round(consumer: OutboxConsumer): Promise<number> {
    let claimed: string[] = [];
    try {
      await this.transactions.run(async () => {
        const startTime = Date.now();
        if (consumer.ordered && !(await this.outbox.lockOrdered(consumer.name))) return;
        const rows = consumer.ordered
          ? await this.outbox.claimInOrder(consumer.name, this.config.outbox.batchSize)
          : await this.outbox.claim(consumer.name, this.config.outbox.batchSize);
        claimed = rows.map((row) => row.id);
        if (!rows.length) return;
        const attributes = { [ATTR_OUTBOX_CONSUMER]: consumer.name, [ATTR_OUTBOX_ROWS]: rows.length };
        await this.tracing.run('outbox.relay.round', { startTime, attributes }, async () => {
          await this.handOver(
            consumer,
            rows.flatMap((row) => row.events),
          );
          await this.outbox.markDelivered(consumer.name, claimed);
        });
      });
      if (claimed.length) this.unavailable.delete(consumer.name);
      return claimed.length;
    } catch (error) {
      if (!claimed.length) throw error;
      if (consumer.ordered && (claimed.length === 1 || error instanceof DeliveryUnavailable)) {
        // The receiver is down (or the batch was one row): retrying row by row would only fail again.
        await this.recordFailure(consumer, claimed[0], error as Error);
      } else if (consumer.ordered) {
        // In order, stopping at the first failure: nothing after a failing row is shipped before it.
        for (let i = 0; i < claimed.length; i++) if (!(await this.deliverNextInOrder(consumer))) break;
      } else {
        for (const rowId of claimed) await this.deliverAlone(consumer, rowId);
      }
      return claimed.length;
    }
  }

  private async deliverAlone(consumer: OutboxConsumer, rowId: string): Promise<void> {
    try {
      await this.transactions.run(async () => {
        const row = await this.outbox.claimOne(consumer.name, rowId);
        if (!row) return;
        await this.handOver(consumer, row.events);
        await this.outbox.markDelivered(consumer.name, [rowId]);
        this.unavailable.delete(consumer.name);
      });
    } catch (error) {
      await this.recordFailure(consumer, rowId, error as Error);
    }
  }

  /** The oldest pending row of an ordered consumer, alone; false when it failed or there was none. */
  private async deliverNextInOrder(consumer: OutboxConsumer): Promise<boolean> {
    let rowId: string | undefined;
    try {
      return await this.transactions.run(async () => {
        if (!(await this.outbox.lockOrdered(consumer.name))) return false;
        const [row] = await this.outbox.claimInOrder(consumer.name, 1);
        if (!row) return false;
        rowId = row.id;
        await this.handOver(consumer, row.events);
        await this.outbox.markDelivered(consumer.name, [row.id]);
        this.unavailable.delete(consumer.name);
        return true;
      });
    } catch (error) {
      if (!rowId) throw error;
      await this.recordFailure(consumer, rowId, error as Error);
      return false;
    }
  }

  /** A transient failure only backs off (an outage must lose nothing); any other counts an attempt. */
  private async recordFailure(consumer: OutboxConsumer, rowId: string, error: Error): Promise<void> {
    this.logger.warn(`consumer ${consumer.name} failed on outbox row ${rowId}: ${error.message}`);
    if (error instanceof DeliveryUnavailable) {
      const streak = (this.unavailable.get(consumer.name) ?? 0) + 1;
      this.unavailable.set(consumer.name, streak);
      await this.transactions.run(() =>
        this.outbox.markUnavailable(consumer.name, rowId, error.message, retryDelayMs(streak)),
      );
      return;
    }
    await this.transactions.run(() =>
      this.outbox.markFailed(consumer.name, rowId, error.message, this.config.outbox.maxAttempts),
    );
  }

  /** A batch row can carry thousands of events: the consumer gets them at most `batchSize` at a time. */
  private async handOver(consumer: OutboxConsumer, events: OutboxEvent[]): Promise<void> {
    const size = this.config.outbox.batchSize;
    for (let start = 0; start < events.length; start += size) {
      await consumer.handle(events.slice(start, start + size));
    }
  }
}
