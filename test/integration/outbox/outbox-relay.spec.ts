import { OutboxRepository } from '../../../src/infrastructure/outbox/outbox.repository';
import { anAggregate, OutboxHarness, RecordingConsumer, startOutboxHarness } from '../../support/outbox-harness';

describe('OutboxRelay on real Postgres', () => {
  let h: OutboxHarness;
  let cache: RecordingConsumer;
  let search: RecordingConsumer;

  beforeEach(async () => {
    h = await startOutboxHarness({ OUTBOX_BATCH_SIZE: '3', OUTBOX_MAX_ATTEMPTS: '2' });
    cache = new RecordingConsumer('cache');
    search = new RecordingConsumer('search');
    h.registry.register(cache);
    h.registry.register(search);
  });
  afterEach(() => h.close());

  const write = (aggregateId: string, n: number) =>
    h.transactions.run(() => h.writer.append('record.updated', aggregateId, { n }));
  const eventIds = async () =>
    (await h.db.query<{ id: string }>('SELECT id::text AS id FROM outbox_events ORDER BY id')).map((r) => r.id);
  const makeDue = () => h.db.query(`UPDATE outbox_deliveries SET next_attempt_at = now() WHERE status = 'pending'`);
  const statuses = () =>
    h.db.query<{ consumer: string; status: string; n: string }>(
      'SELECT consumer, status, count(*)::text AS n FROM outbox_deliveries GROUP BY 1, 2 ORDER BY 1, 2',
    );

  it('delivers events written while no relay ran, once the relay starts, exactly once per consumer', async () => {
    const a = anAggregate();
    const b = anAggregate();
    for (let n = 1; n <= 4; n++) {
      await write(a, n);
      await write(b, n);
    }
    const written = await eventIds();
    const first = h.relay();
    await first.drain();
    await first.beforeApplicationShutdown();
    await h.relay().drain();

    expect([...cache.calls].sort()).toEqual([...written].sort());
    expect([...search.calls].sort()).toEqual([...written].sort());
    expect(await statuses()).toEqual([
      { consumer: 'cache', status: 'delivered', n: '8' },
      { consumer: 'search', status: 'delivered', n: '8' },
    ]);
  });

  it('keeps the order of each aggregate’s events', async () => {
    const a = anAggregate();
    const b = anAggregate();
    for (let n = 1; n <= 5; n++) {
      await write(a, n);
      await write(b, n);
    }
    const seen: Record<string, number[]> = {};
    h.registry.register({
      name: 'order',
      types: ['record.updated'],
      handle: async (events) => {
        for (const event of events) (seen[event.aggregateId] ??= []).push(Number(event.payload.n));
      },
    });
    await h.db.query(`INSERT INTO outbox_deliveries (event_id, consumer, aggregate_id)
                      SELECT id, 'order', aggregate_id FROM outbox_events`);
    await h.relay().drain();
    expect(seen[a]).toEqual([1, 2, 3, 4, 5]);
    expect(seen[b]).toEqual([1, 2, 3, 4, 5]);
  });

  it('redelivers an event whose delivery was not recorded (relay died mid-way); an idempotent consumer applies it once', async () => {
    const a = anAggregate();
    await write(a, 1);
    let failures = 0;
    search.fail = () => failures++ < 2;
    await h.relay().drain();
    expect(search.calls).toHaveLength(2);
    expect(await statuses()).toContainEqual({ consumer: 'search', status: 'pending', n: '1' });

    await makeDue();
    await h.relay().drain();
    const [id] = await eventIds();
    expect(search.calls).toEqual([id, id, id]);
    expect([...search.effects]).toEqual([id]);
    expect(cache.calls).toEqual([id]);
    expect(await statuses()).toEqual([
      { consumer: 'cache', status: 'delivered', n: '1' },
      { consumer: 'search', status: 'delivered', n: '1' },
    ]);
  });

  it('dead-letters an event after the configured failures without holding back other aggregates', async () => {
    const poison = anAggregate();
    const healthy = anAggregate();
    await write(poison, 1);
    await write(healthy, 1);
    search.fail = (event) => event.aggregateId === poison;
    await h.relay().drain();
    await makeDue();
    await h.relay().drain();
    const rows = await h.db.query<{ aggregate_id: string; status: string; attempts: number; last_error: string }>(
      `SELECT aggregate_id, status, attempts, last_error FROM outbox_deliveries WHERE consumer = 'search'`,
    );
    expect(rows.find((r) => r.aggregate_id === poison)).toMatchObject({ status: 'dead', attempts: 2 });
    expect(rows.find((r) => r.aggregate_id === healthy)).toMatchObject({ status: 'delivered' });
    expect(cache.calls).toHaveLength(2);
  });

  it('shares the work between relays running at the same time: every event once per consumer', async () => {
    for (let i = 0; i < 40; i++) await write(anAggregate(), i);
    await Promise.all([h.relay().drain(), h.relay().drain(), h.relay().drain()]);
    await h.relay().drain();
    expect(cache.calls).toHaveLength(40);
    expect(new Set(cache.calls).size).toBe(40);
    expect(new Set(search.calls).size).toBe(40);
    expect(search.calls).toHaveLength(40);
  });

  it('hands each consumer only the event types it takes', async () => {
    const users = new RecordingConsumer('users', ['user.updated']);
    h.registry.register(users);
    await write(anAggregate(), 1);
    await h.transactions.run(() => h.writer.append('user.updated', anAggregate(), {}));
    await h.relay().drain();
    const [recordEvent, userEvent] = await eventIds();
    expect(cache.calls).toEqual([recordEvent]);
    expect(search.calls).toEqual([recordEvent]);
    expect(users.calls).toEqual([userEvent]);
    expect(await statuses()).toEqual([
      { consumer: 'cache', status: 'delivered', n: '1' },
      { consumer: 'search', status: 'delivered', n: '1' },
      { consumer: 'users', status: 'delivered', n: '1' },
    ]);
  });

  describe('batch rows', () => {
    const writeBatch = (entries: { aggregateId: string; n: number }[]) =>
      h.transactions.run(() =>
        h.writer.appendMany(
          'record.updated',
          entries.map(({ aggregateId, n }) => ({ aggregateId, payload: { n } })),
        ),
      );
    const entries = () =>
      h.db.query<{ event_id: string; aggregate_id: string }>(
        'SELECT event_id::text, aggregate_id FROM outbox_event_entries ORDER BY event_id',
      );

    it('hands over each event of a batch row with its own id, in order, at most a batch size at a time', async () => {
      const written = Array.from({ length: 7 }, (_, n) => ({ aggregateId: anAggregate(), n }));
      await writeBatch(written);
      const slices: { id: string; aggregateId: string; n: number }[][] = [];
      h.registry.register({
        name: 'slices',
        types: ['record.updated'],
        handle: async (events) =>
          void slices.push(events.map((e) => ({ id: e.id, aggregateId: e.aggregateId, n: Number(e.payload.n) }))),
      });
      await h.db.query(`INSERT INTO outbox_deliveries (event_id, consumer, aggregate_id, event_count)
                        SELECT id, 'slices', NULL, cardinality(entry_ids) FROM outbox_events`);
      await h.relay().drain();

      const expected = (await entries()).map((entry, n) => ({
        id: entry.event_id,
        aggregateId: entry.aggregate_id,
        n,
      }));
      expect(expected.map((e) => e.aggregateId)).toEqual(written.map((w) => w.aggregateId));
      expect(slices.map((slice) => slice.length)).toEqual([3, 3, 1]);
      expect(slices.flat()).toEqual(expected);
      expect(new Set(cache.calls)).toEqual(new Set(expected.map((e) => e.id)));
      expect(cache.calls).toHaveLength(7);
      expect(await statuses()).toEqual([
        { consumer: 'cache', status: 'delivered', n: '1' },
        { consumer: 'search', status: 'delivered', n: '1' },
        { consumer: 'slices', status: 'delivered', n: '1' },
      ]);
    });

    it('counts a batch row as its events in the backlog', async () => {
      await writeBatch([1, 2, 3, 4, 5].map((n) => ({ aggregateId: anAggregate(), n })));
      await write(anAggregate(), 6);
      const stats = await new OutboxRepository(h.transactions).stats();
      expect(stats.map(({ consumer, pending, dead }) => ({ consumer, pending, dead }))).toEqual([
        { consumer: 'cache', pending: 6, dead: 0 },
        { consumer: 'search', pending: 6, dead: 0 },
      ]);
    });

    it('stores its payload compressed with lz4 where the server has lz4, uncompressed elsewhere, and reads it back whole', async () => {
      const written = Array.from({ length: 2_000 }, (_, n) => ({ aggregateId: anAggregate(), n }));
      await writeBatch(written);
      const [server] = await h.db.query<{ lz4: boolean }>(
        `SELECT 'lz4' = ANY (enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
      );
      const [row] = await h.db.query<{ compression: string | null }>(
        `SELECT pg_column_compression(payload) AS compression FROM outbox_events`,
      );
      expect(row.compression).toBe(server.lz4 ? 'lz4' : null);

      await h.relay().drain();
      expect(cache.calls).toHaveLength(written.length);
      expect(await statuses()).toEqual([
        { consumer: 'cache', status: 'delivered', n: '1' },
        { consumer: 'search', status: 'delivered', n: '1' },
      ]);
    });

    it('is claimed by one of several relays running at once, and events after it still come after it', async () => {
      const a = anAggregate();
      await writeBatch(Array.from({ length: 7 }, (_, n) => ({ aggregateId: n ? anAggregate() : a, n })));
      await write(a, 100);
      for (let i = 0; i < 5; i++) await write(anAggregate(), i);
      const ids = (await entries()).map((e) => e.event_id);
      await Promise.all([h.relay().drain(), h.relay().drain(), h.relay().drain()]);
      await h.relay().drain();
      for (const consumer of [cache, search]) {
        expect([...consumer.calls].sort()).toEqual([...ids].sort());
        expect(consumer.calls.indexOf(ids[7])).toBeGreaterThan(consumer.calls.indexOf(ids[0]));
      }
    });

    it('is a barrier: it waits for earlier events, and later events wait for it, even while it is retried', async () => {
      const a = anAggregate();
      const b = anAggregate();
      await write(a, 1);
      await writeBatch([
        { aggregateId: a, n: 2 },
        { aggregateId: b, n: 1 },
      ]);
      await write(b, 2);
      await write(anAggregate(), 1);
      const [first, batch1, batch2, afterB, unrelated] = (await entries()).map((e) => e.event_id);
      // The round and the row-by-row retry both fail: the batch row is backed off.
      let failures = 0;
      search.fail = (event) => event.id === batch1 && failures++ < 2;
      await h.relay().drain();
      expect(cache.calls).toEqual([first, batch1, batch2, afterB, unrelated]);
      expect(search.calls).toEqual([first, batch1, batch1]);

      await makeDue();
      await h.relay().drain();
      expect(search.calls).toEqual([first, batch1, batch1, batch1, batch2, afterB, unrelated]);
      expect(search.effects).toEqual(new Set([first, batch1, batch2, afterB, unrelated]));
    });
  });

  it('writes nothing when the writing transaction rolls back', async () => {
    await expect(
      h.transactions.run(async () => {
        await h.writer.append('record.created', anAggregate(), {});
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await eventIds()).toEqual([]);
  });
});

describe('OutboxRepository purge', () => {
  it('purges delivered events past retention and keeps pending and dead-lettered ones', async () => {
    const h = await startOutboxHarness();
    try {
      h.registry.register(new RecordingConsumer('cache'));
      for (let i = 0; i < 3; i++) await h.transactions.run(() => h.writer.append('record.created', anAggregate(), {}));
      await h.db.query(`UPDATE outbox_events SET created_at = now() - interval '2 days'`);
      await h.db.query(`UPDATE outbox_deliveries SET status = 'delivered' WHERE event_id = 1`);
      await h.db.query(`UPDATE outbox_deliveries SET status = 'dead' WHERE event_id = 2`);
      await new OutboxRepository(h.transactions).purgeDelivered(24);
      const left = await h.db.query<{ id: string }>('SELECT id::text AS id FROM outbox_events ORDER BY id');
      expect(left.map((r) => r.id)).toEqual(['2', '3']);
    } finally {
      await h.close();
    }
  });
});
