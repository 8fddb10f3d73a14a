import { DeliveryUnavailable, OutboxConsumer, OutboxEvent } from '../../../src/infrastructure/outbox/outbox-consumer';
import { anAggregate, OutboxHarness, RecordingConsumer, startOutboxHarness } from '../../support/outbox-harness';

/** An ordered consumer that remembers the events of every `handle` call that succeeded, in order. */
class OrderedRecorder implements OutboxConsumer {
  readonly types = ['record.updated'];
  readonly ordered = true;
  readonly shipped: number[] = [];
  readonly tried: number[] = [];
  failWith: (n: number) => Error | undefined = () => undefined;
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(readonly name = 'siem') {}

  async handle(events: OutboxEvent[]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const ns = events.map((event) => Number(event.payload.n));
      this.tried.push(...ns);
      for (const n of ns) {
        const error = this.failWith(n);
        if (error) throw error;
      }
      this.shipped.push(...ns);
    } finally {
      this.inFlight--;
    }
  }
}

describe('OutboxRelay with an ordered consumer', () => {
  let h: OutboxHarness;
  let siem: OrderedRecorder;

  beforeEach(async () => {
    h = await startOutboxHarness({ OUTBOX_BATCH_SIZE: '3', OUTBOX_MAX_ATTEMPTS: '2' });
    siem = new OrderedRecorder();
    h.registry.register(siem);
  });
  afterEach(() => h.close());

  /** Events 1..n, each of its own aggregate (as audit events are), some in batch rows. */
  const writeEvents = async (from: number, to: number) => {
    for (let n = from; n <= to; n++) {
      if (n % 4 === 0 && n < to) {
        await h.transactions.run(() =>
          h.writer.appendMany('record.updated', [
            { aggregateId: anAggregate(), payload: { n } },
            { aggregateId: anAggregate(), payload: { n: n + 1 } },
          ]),
        );
        n++;
      } else {
        await h.transactions.run(() => h.writer.append('record.updated', anAggregate(), { n }));
      }
    }
  };
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const makeDue = () => h.db.query(`UPDATE outbox_deliveries SET next_attempt_at = now() WHERE status = 'pending'`);
  const deliveries = () =>
    h.db.query<{ n: number; status: string; attempts: number; last_error: string | null; due: boolean }>(
      `SELECT (e.payload->>'n')::int AS n, d.status, d.attempts, d.last_error, d.next_attempt_at <= now() AS due
       FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
       WHERE d.consumer = 'siem' AND e.aggregate_id IS NOT NULL ORDER BY d.event_id`,
    );

  it('hands events over in outbox order, batch rows included, across batches', async () => {
    await writeEvents(1, 11);
    await h.relay().drain();
    expect(siem.shipped).toEqual(range(1, 11));
  });

  it('stops at the first failing row: the rows before it ship, nothing after it ships before it', async () => {
    await writeEvents(1, 9);
    let failing = true;
    siem.failWith = (n) => (n === 6 && failing ? new Error('refused') : undefined);
    await h.relay().drain();
    expect(siem.shipped).toEqual(range(1, 5));
    const rows = await deliveries();
    expect(rows.find((row) => row.n === 6)).toMatchObject({ status: 'pending', attempts: 1, due: false });
    expect(rows.find((row) => row.n === 7)).toMatchObject({ status: 'pending', attempts: 0 });

    await makeDue();
    failing = false;
    await h.relay().drain();
    expect(siem.shipped).toEqual(range(1, 9));
  });

  it('never dead-letters while the receiver is unavailable, however often it fails, and drains in order when it is back', async () => {
    await writeEvents(1, 7);
    let down = true;
    siem.failWith = () => (down ? new DeliveryUnavailable('connection refused') : undefined);
    for (let i = 0; i < 5; i++) {
      await h.relay().drain();
      await makeDue();
    }
    expect(siem.shipped).toEqual([]);
    const rows = await h.db.query<{ status: string; attempts: number; last_error: string | null }>(
      `SELECT status, attempts, last_error FROM outbox_deliveries WHERE consumer = 'siem' ORDER BY event_id`,
    );
    expect(rows.every((row) => row.status === 'pending' && row.attempts === 0)).toBe(true);
    expect(rows[0].last_error).toBe('connection refused');

    down = false;
    await writeEvents(8, 10);
    await h.relay().drain();
    expect(siem.shipped).toEqual(range(1, 10));
  });

  it('backs off after a transient failure: nothing is tried again before the row is due', async () => {
    await writeEvents(1, 3);
    siem.failWith = () => new DeliveryUnavailable('down');
    await h.relay().drain();
    const tries = siem.tried.length;
    await h.relay().drain();
    expect(siem.tried).toHaveLength(tries);
    expect((await deliveries())[0]).toMatchObject({ status: 'pending', attempts: 0, due: false });
  });

  it('dead-letters a refused event after OUTBOX_MAX_ATTEMPTS, which unblocks the events after it', async () => {
    await writeEvents(1, 6);
    siem.failWith = (n) => (n === 2 ? new Error('400 bad event') : undefined);
    await h.relay().drain();
    expect(siem.shipped).toEqual([1]);
    await makeDue();
    await h.relay().drain();
    expect(siem.shipped).toEqual([1, 3, 4, 5, 6]);
    const rows = await deliveries();
    expect(rows.find((row) => row.n === 2)).toMatchObject({ status: 'dead', attempts: 2, last_error: '400 bad event' });
  });

  it('is shipped by one relay at a time: concurrent relays never interleave or repeat events', async () => {
    siem.delayMs = 20;
    await writeEvents(1, 20);
    await Promise.all([h.relay().drain(), h.relay().drain(), h.relay().drain()]);
    await h.relay().drain();
    expect(siem.maxInFlight).toBe(1);
    expect(siem.shipped).toEqual(range(1, 20));
  });

  it('leaves unordered consumers as they were: a poison event holds back only itself', async () => {
    const cache = new RecordingConsumer('cache', ['record.updated']);
    h.registry.register(cache);
    await writeEvents(1, 3);
    cache.fail = (event) => event.payload.n === 1;
    await h.relay().drain();
    expect(siem.shipped).toEqual([1, 2, 3]);
    const [poison] = await h.db.query<{ status: string }>(
      `SELECT d.status FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
       WHERE d.consumer = 'cache' AND (e.payload->>'n')::int = 1`,
    );
    expect(poison.status).toBe('pending');
    const delivered = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_deliveries WHERE consumer = 'cache' AND status = 'delivered'`,
    );
    expect(delivered[0].n).toBe(2);
  });
});
