import { EventPartitions, partitionName } from '../../../src/modules/compliance/analytics/jobs/event-partitions';
import { EventPartitionsJob } from '../../../src/modules/compliance/analytics/jobs/event-partitions.job';
import { EVENTS_RETENTION } from '../../../src/modules/compliance/analytics/jobs/events-retention';
import { EVENTS_LAYOUT, type EventsLayout } from '../../../src/modules/compliance/analytics/layout/events-layout';
import { startTestApp, TestApp } from '../../support/app';

const DAY_MS = 86_400_000;
const utcDay = (offsetDays: number, from = Date.now()) =>
  new Date(Math.floor(from / DAY_MS) * DAY_MS + offsetDays * DAY_MS);

describe('compliance_events partition maintenance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ COMPLIANCE_EVENTS_RETENTION_DAYS: '90', COMPLIANCE_EVENTS_PARTITIONS_AHEAD_DAYS: '3' });
  });
  afterAll(() => t.close());

  const insertEvent = (id: number, at: Date) =>
    t.db.query(
      `INSERT INTO compliance_events (source_event_id, record_id, framework, status, score, occurred_at)
       VALUES ($1, gen_random_uuid(), 'GDPR', 'passed', 90, $2)`,
      [id, at],
    );
  const partitionOf = async (id: number) =>
    (
      await t.db.query<{ partition: string }>(
        'SELECT tableoid::regclass::text AS partition FROM compliance_events WHERE source_event_id = $1',
        [id],
      )
    )[0]?.partition;

  it('is chosen at boot on a database without TimescaleDB', () => {
    expect(t.app.get<EventsLayout>(EVENTS_LAYOUT).kind).toBe('native');
    expect(t.app.get(EVENTS_RETENTION)).toBeInstanceOf(EventPartitionsJob);
  });

  it('creates partitions for today and the days ahead at boot', async () => {
    const partitions = await t.app.get(EventPartitions).partitions();
    expect(partitions).toEqual([0, 1, 2, 3].map((d) => partitionName(utcDay(d))));
  });

  it('moves rows the default partition caught into a new partition for their day, and drops rows past retention', async () => {
    await insertEvent(1, new Date(utcDay(-3).getTime() + 5 * 3_600_000));
    await insertEvent(2, utcDay(-200));
    expect(await partitionOf(1)).toBe('compliance_events_default');

    const changes = await t.app.get(EventPartitions).maintain();
    expect(changes).toEqual({ created: [partitionName(utcDay(-3))], dropped: [] });
    expect(await partitionOf(1)).toBe(partitionName(utcDay(-3)));
    expect(await partitionOf(2)).toBeUndefined();
  });

  it('drops whole partitions and rollup rows once they are past retention', async () => {
    await t.db.query(
      `INSERT INTO compliance_events_hourly VALUES ($1, 'GDPR', 'passed', 1, 90), ($2, 'GDPR', 'passed', 1, 90)`,
      [utcDay(-3), utcDay(120)],
    );
    const later = utcDay(100);
    const changes = await t.app.get(EventPartitions).maintain(later);
    expect(changes.dropped).toEqual([-3, 0, 1, 2, 3].map((d) => partitionName(utcDay(d))));
    expect(changes.created).toEqual([100, 101, 102, 103].map((d) => partitionName(utcDay(d))));
    expect(await partitionOf(1)).toBeUndefined();
    const rollup = await t.db.query<{ bucket: Date }>('SELECT bucket FROM compliance_events_hourly');
    expect(rollup.map((r) => r.bucket.toISOString())).toEqual([utcDay(120).toISOString()]);
  });
});
