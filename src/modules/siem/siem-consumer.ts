import type { Counter } from 'prom-client';
import { AUDIT_SEVERITIES, type AuditSeverity } from '../audit/audit-event.js';
import {
  DeliveryUnavailable,
  type OutboxConsumer,
  type OutboxEvent,
} from '../../infrastructure/outbox/outbox-consumer.js';
import { AUDIT_EVENT_RECORDED, type AuditEventPayload } from '../audit/audit-outbox-event.js';
import type { SiemSink } from './siem-sink.js';

/**
 * Ships audit events to one SIEM sink through the outbox, so a receiver outage only grows the
 * backlog. It is `ordered`, which keeps each audit shard in `seq` order: a shard's head row stays
 * locked until the appending transaction commits, so the next append to that shard takes its outbox
 * id after that commit, and ids, hence shipping order, increase along every chain. Events of
 * different shards may interleave in any order.
 */
export class SiemConsumer implements OutboxConsumer {
  readonly name: string;
  readonly types = [AUDIT_EVENT_RECORDED];
  readonly ordered = true;
  private readonly minRank: number;

  constructor(
    private readonly sink: SiemSink,
    minSeverity: AuditSeverity,
    private readonly shipped: Counter<'sink'>,
    private readonly failures: Counter<'sink' | 'kind'>,
  ) {
    this.name = `siem-${sink.name}`;
    this.minRank = AUDIT_SEVERITIES.indexOf(minSeverity);
  }

  async handle(events: OutboxEvent[]): Promise<void> {
    const snapshots = events
      .map((event) => (event.payload as AuditEventPayload).event)
      .filter((event) => AUDIT_SEVERITIES.indexOf(event.severity as AuditSeverity) >= this.minRank);
    if (!snapshots.length) return;
    try {
      await this.sink.ship(snapshots);
    } catch (error) {
      const kind = error instanceof DeliveryUnavailable ? 'transient' : 'permanent';
      this.failures.inc({ sink: this.sink.name, kind });
      throw error;
    }
    this.shipped.inc({ sink: this.sink.name }, snapshots.length);
  }
}
