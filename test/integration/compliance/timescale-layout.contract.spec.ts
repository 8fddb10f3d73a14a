import {
  TIMESCALE_LAYOUT_DOWN,
  TIMESCALE_LAYOUT_UP,
  timescaleAvailable,
} from '../../../src/modules/compliance/analytics/timescale/timescale-layout';
import { randomBytes } from 'node:crypto';
import { adminQuery } from '../../support/database';

/**
 * Runs only when TEST_TIMESCALE_URL points at a Postgres server with TimescaleDB preloaded
 * (this machine has none, so here it is reported as skipped, never as passed).
 */
const TIMESCALE_URL = process.env.TEST_TIMESCALE_URL;
const describeWithTimescale = TIMESCALE_URL ? describe : describe.skip;

describeWithTimescale('TimescaleDB layout contract', () => {
  const name = `ck_test_ts_${randomBytes(6).toString('hex')}`;
  const url = () => Object.assign(new URL(TIMESCALE_URL as string), { pathname: `/${name}` }).toString();
  const db = { query: <T = Record<string, unknown>>(sql: string) => adminQuery(sql, [], url()) as Promise<T[]> };
  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${name}`, [], TIMESCALE_URL);
    expect(await timescaleAvailable(db)).toBe(true);
  });
  afterAll(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, [], TIMESCALE_URL));

  it('creates a 1-day hypertable with compression, retention and hourly/daily continuous aggregates that match raw events', async () => {
    for (const statement of TIMESCALE_LAYOUT_UP) await db.query(statement);
    const [dimension] = await db.query<{ time_interval: string }>(
      `SELECT time_interval::text FROM timescaledb_information.dimensions WHERE hypertable_name = 'compliance_events'`,
    );
    expect(dimension.time_interval).toBe('1 day');
    const jobs = await db.query<{ proc_name: string }>(
      `SELECT proc_name FROM timescaledb_information.jobs WHERE hypertable_name IN
         ('compliance_events', 'compliance_events_hourly_cagg', 'compliance_events_daily_cagg') ORDER BY 1`,
    );
    expect(jobs.map((j) => j.proc_name)).toEqual([
      'policy_compression',
      'policy_refresh_continuous_aggregate',
      'policy_refresh_continuous_aggregate',
      'policy_retention',
    ]);

    await db.query(`
      INSERT INTO compliance_events
      SELECT g, gen_random_uuid(), (ARRAY['GDPR', 'SOC2'])[1 + g % 2],
             (ARRAY['passed', 'failed', 'warning'])[1 + g % 3], (g % 101)::numeric,
             now() - interval '10 days' + g * interval '37 seconds'
      FROM generate_series(1, 20000) AS g`);
    await db.query(`CALL refresh_continuous_aggregate('compliance_events_hourly_cagg', NULL, NULL)`);
    await db.query(`CALL refresh_continuous_aggregate('compliance_events_daily_cagg', NULL, NULL)`);
    const fromRaw = await db.query(`
      SELECT time_bucket(INTERVAL '1 day', occurred_at) AS bucket, framework, status, count(*)::text AS n, sum(score)::text AS s
      FROM compliance_events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
    const fromAggregate = await db.query(`
      SELECT bucket, framework, status, event_count::text AS n, score_sum::text AS s
      FROM compliance_events_daily_cagg ORDER BY 1, 2, 3`);
    expect(fromAggregate).toEqual(fromRaw);

    for (const statement of TIMESCALE_LAYOUT_DOWN) await db.query(statement);
  });
});
