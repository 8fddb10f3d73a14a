import { EventPartitions, partitionName } from '../../../src/modules/compliance/analytics/jobs/event-partitions';
import { EventPartitionsJob } from '../../../src/modules/compliance/analytics/jobs/event-partitions.job';
import { EVENTS_RETENTION } from '../../../src/modules/compliance/analytics/jobs/events-retention';
import { TimescaleMaintenanceJob } from '../../../src/modules/compliance/analytics/jobs/timescale-maintenance.job';
import {
  detectEventsLayout,
  EVENTS_LAYOUT,
  type EventsLayout,
} from '../../../src/modules/compliance/analytics/layout/events-layout';
import { policyProblems, timescalePolicies } from '../../../src/modules/compliance/analytics/layout/timescale-layout';
import { startTestApp, TestApp } from '../../support/app';

const DAY_MS = 86_400_000;
const utcDay = (offsetDays: number, from = Date.now()) =>
  new Date(Math.floor(from / DAY_MS) * DAY_MS + offsetDays * DAY_MS);

/**
 * Daily storage and retention of `compliance_events`, on the layout the server gives: native
 * partitions kept by `EventPartitionsJob` on plain Postgres; 1-day chunks and TimescaleDB's
 * policies (run by the app when TimescaleDB has not) when TEST_DATABASE_URL is a TimescaleDB server.
 */
describe('compliance_events daily storage and retention', () => {
  let t: TestApp;
  let layout: EventsLayout;
  beforeAll(async () => {
    t = await startTestApp({ COMPLIANCE_EVENTS_RETENTION_DAYS: '90', COMPLIANCE_EVENTS_PARTITIONS_AHEAD_DAYS: '3' });
    layout = t.app.get<EventsLayout>(EVENTS_LAYOUT);
  });
  afterAll(() => t.close());

  const insertEvent = (id: number, at: Date) =>
    t.db.query(
      `INSERT INTO compliance_events (source_event_id, record_id, framework, status, score, occurred_at)
       VALUES ($1, gen_random_uuid(), 'GDPR', 'passed', 90, $2)`,
      [id, at],
    );
  const tableOf = async (id: number) =>
    (
      await t.db.query<{ table: string }>(
        'SELECT tableoid::regclass::text AS table FROM compliance_events WHERE source_event_id = $1',
        [id],
      )
    )[0]?.table;
  /** The time range of the chunk holding an event (TimescaleDB only). */
  const chunkRangeOf = async (id: number) =>
    (
      await t.db.query<{ from: Date; to: Date }>(
        `SELECT chunk.range_start AS from, chunk.range_end AS to FROM compliance_events event
         JOIN timescaledb_information.chunks chunk ON format('%I.%I', chunk.chunk_schema, chunk.chunk_name)::regclass = event.tableoid
         WHERE event.source_event_id = $1`,
        [id],
      )
    )[0];

  it('is chosen at boot from what the server holds, with the retention that goes with it', async () => {
    expect(layout.kind).toBe(await detectEventsLayout({ query: (sql: string) => t.db.query(sql) }));
    expect(t.app.get(EVENTS_RETENTION)).toBeInstanceOf(
      layout.kind === 'native' ? EventPartitionsJob : TimescaleMaintenanceJob,
    );
  });

  it('keeps one table per UTC day, for today and the days ahead', async () => {
    if (layout.kind === 'native') {
      const partitions = await t.app.get(EventPartitions).partitions();
      expect(partitions).toEqual([0, 1, 2, 3].map((d) => partitionName(utcDay(d))));
      return;
    }
    // TimescaleDB creates a day's chunk with its first event, so there is nothing to prepare.
    const [dimension] = await t.db.query<{ seconds: number }>(
      `SELECT extract(epoch FROM time_interval)::int AS seconds FROM timescaledb_information.dimensions
       WHERE hypertable_name = 'compliance_events'`,
    );
    expect(dimension.seconds).toBe(86_400);
    expect(await t.db.query(`SELECT relname FROM pg_class WHERE relname ~ '^compliance_events_p[0-9]{8}$'`)).toEqual(
      [],
    );
  });

  it('files a late event under its own day, and drops events past retention', async () => {
    await insertEvent(1, new Date(utcDay(-3).getTime() + 5 * 3_600_000));
    await insertEvent(2, utcDay(-200));
    if (layout.kind === 'native') {
      expect(await tableOf(1)).toBe('compliance_events_default');
      const changes = await t.app.get(EventPartitions).maintain();
      expect(changes).toEqual({ created: [partitionName(utcDay(-3))], dropped: [] });
      expect(await tableOf(1)).toBe(partitionName(utcDay(-3)));
    } else {
      expect(await chunkRangeOf(1)).toEqual({ from: utcDay(-3), to: utcDay(-2) });
      // Four days on, TimescaleDB has not run the retention policy for three of its intervals
      // (here: never, or not since the server did), so the app runs every policy itself.
      const summary = await t.app
        .get<TimescaleMaintenanceJob>(EVENTS_RETENTION)
        .maintain(new Date(Date.now() + 4 * DAY_MS));
      expect(summary).toMatch(/ran 6 overdue jobs/);
      expect(await tableOf(1)).toBeDefined();
    }
    expect(await tableOf(2)).toBeUndefined();
  });

  it('drops the aggregates’ rows past retention along with the events', async () => {
    if (layout.kind === 'timescale') {
      // Retention on both aggregates, refreshed over all of it (see TuneComplianceEventsTimescalePolicies).
      const policies = await timescalePolicies({ query: (sql: string) => t.db.query(sql) });
      expect(policyProblems(policies, 90)).toEqual([]);
      return;
    }
    await t.db.query(
      `INSERT INTO compliance_events_hourly VALUES ($1, 'GDPR', 'passed', 1, 90), ($2, 'GDPR', 'passed', 1, 90)`,
      [utcDay(-3), utcDay(120)],
    );
    const later = utcDay(100);
    const changes = await t.app.get(EventPartitions).maintain(later);
    expect(changes.dropped).toEqual([-3, 0, 1, 2, 3].map((d) => partitionName(utcDay(d))));
    expect(changes.created).toEqual([100, 101, 102, 103].map((d) => partitionName(utcDay(d))));
    expect(await tableOf(1)).toBeUndefined();
    const rollup = await t.db.query<{ bucket: Date }>('SELECT bucket FROM compliance_events_hourly');
    expect(rollup.map((r) => r.bucket.toISOString())).toEqual([utcDay(120).toISOString()]);
  });
});
