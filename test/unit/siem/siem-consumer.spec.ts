import { Counter } from 'prom-client';
import { DeliveryUnavailable, OutboxEvent } from '../../../src/infrastructure/outbox/outbox-consumer';
import { AUDIT_EVENT_RECORDED, type AuditSnapshot } from '../../../src/modules/audit/audit-outbox-event';
import { SiemConsumer } from '../../../src/modules/siem/siem-consumer';
import type { SiemSink } from '../../../src/modules/siem/siem-sink';

class FakeSink implements SiemSink {
  readonly name = 'fake';
  readonly batches: AuditSnapshot[][] = [];
  failure: Error | undefined;

  async ship(events: AuditSnapshot[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.batches.push(events);
  }

  async close(): Promise<void> {}
}

const outboxEvent = (seq: number, severity: string): OutboxEvent => ({
  id: String(seq),
  type: AUDIT_EVENT_RECORDED,
  aggregateId: `event-${seq}`,
  payload: { event: { id: `event-${seq}`, shard: 1, seq, severity } },
  createdAt: new Date(),
});

describe('SiemConsumer', () => {
  let sink: FakeSink;
  let shipped: Counter<'sink'>;
  let failures: Counter<'sink' | 'kind'>;
  const consumer = (minSeverity: 'info' | 'warning' | 'critical' = 'info') =>
    new SiemConsumer(sink, minSeverity, shipped, failures);
  const count = async (counter: Counter<string>, labels: Record<string, string>) =>
    (await counter.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;

  beforeEach(() => {
    sink = new FakeSink();
    shipped = new Counter({ name: 'shipped', help: 'h', labelNames: ['sink'], registers: [] });
    failures = new Counter({ name: 'failures', help: 'h', labelNames: ['sink', 'kind'], registers: [] });
  });

  it('is an ordered consumer of audit events named after its sink', () => {
    expect(consumer()).toMatchObject({ name: 'siem-fake', types: [AUDIT_EVENT_RECORDED], ordered: true });
  });

  it('ships the snapshots in the order handed over and counts them', async () => {
    await consumer().handle([outboxEvent(1, 'info'), outboxEvent(2, 'critical')]);
    expect(sink.batches.map((batch) => batch.map((event) => event.seq))).toEqual([[1, 2]]);
    expect(await count(shipped, { sink: 'fake' })).toBe(2);
  });

  it('ships only events at or above SIEM_MIN_SEVERITY, and nothing at all for a batch below it', async () => {
    await consumer('warning').handle([outboxEvent(1, 'info'), outboxEvent(2, 'warning'), outboxEvent(3, 'critical')]);
    await consumer('warning').handle([outboxEvent(4, 'info')]);
    expect(sink.batches.map((batch) => batch.map((event) => event.seq))).toEqual([[2, 3]]);
  });

  it('counts a failure by kind and rethrows it for the relay', async () => {
    sink.failure = new DeliveryUnavailable('down');
    await expect(consumer().handle([outboxEvent(1, 'info')])).rejects.toBe(sink.failure);
    sink.failure = new Error('refused');
    await expect(consumer().handle([outboxEvent(2, 'info')])).rejects.toBe(sink.failure);
    expect(await count(failures, { sink: 'fake', kind: 'transient' })).toBe(1);
    expect(await count(failures, { sink: 'fake', kind: 'permanent' })).toBe(1);
    expect(await count(shipped, { sink: 'fake' })).toBe(0);
  });
});
