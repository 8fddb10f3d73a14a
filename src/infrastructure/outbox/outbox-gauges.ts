import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { OutboxConsumerRegistry } from './outbox-consumer.js';
import { OutboxRepository, OutboxStats } from './outbox.repository.js';

export const OUTBOX_BACKLOG_METRIC = 'outbox_backlog';
export const OUTBOX_OLDEST_AGE_METRIC = 'outbox_oldest_pending_age_seconds';
export const OUTBOX_DEAD_METRIC = 'outbox_dead_letters';

/** Publishes the outbox backlog per consumer after each relay pass (and on health checks). */
@Injectable()
export class OutboxGauges {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly consumers: OutboxConsumerRegistry,
    @InjectMetric(OUTBOX_BACKLOG_METRIC) private readonly backlog: Gauge<'consumer'>,
    @InjectMetric(OUTBOX_OLDEST_AGE_METRIC) private readonly oldestAge: Gauge<'consumer'>,
    @InjectMetric(OUTBOX_DEAD_METRIC) private readonly dead: Gauge<'consumer'>,
  ) {}

  async refresh(): Promise<OutboxStats[]> {
    const stats = await this.outbox.stats();
    this.backlog.reset();
    this.oldestAge.reset();
    this.dead.reset();
    // Every consumer gets a series, so an empty backlog reads 0 rather than "no data".
    for (const consumer of this.consumers.names) {
      this.backlog.set({ consumer }, 0);
      this.oldestAge.set({ consumer }, 0);
      this.dead.set({ consumer }, 0);
    }
    for (const row of stats) {
      this.backlog.set({ consumer: row.consumer }, row.pending);
      this.oldestAge.set({ consumer: row.consumer }, row.oldestPendingAgeSeconds);
      this.dead.set({ consumer: row.consumer }, row.dead);
    }
    return stats;
  }
}
