import type { QueryRunner } from 'typeorm';
import { TuneComplianceEventsTimescalePolicies1765070000000 } from '../../../src/infrastructure/database/migrations/1765070000000-TuneComplianceEventsTimescalePolicies';

/** A query runner over a database in the given state; records every change and its parameters. */
function runner(state: { hypertable: boolean; canChange?: boolean; retentionDays?: number }) {
  const changes: { sql: string; parameters?: unknown[] }[] = [];
  const queryRunner = {
    query: (sql: string, parameters?: unknown[]) => {
      if (sql.includes('AS installed')) return Promise.resolve([{ installed: state.hypertable }]);
      if (sql.includes('AS hypertable')) return Promise.resolve([{ hypertable: state.hypertable }]);
      if (sql.includes('AS "canChange"')) return Promise.resolve([{ canChange: state.canChange ?? true }]);
      if (sql.includes('AS days')) return Promise.resolve([{ days: state.retentionDays ?? 90 }]);
      changes.push({ sql: sql.replace(/\s+/g, ' ').trim(), parameters });
      return Promise.resolve([]);
    },
  } as unknown as QueryRunner;
  return { queryRunner, changes };
}

describe('TuneComplianceEventsTimescalePolicies migration', () => {
  const migration = new TuneComplianceEventsTimescalePolicies1765070000000();

  it('changes nothing on the native layout, up or down', async () => {
    const db = runner({ hypertable: false });
    await migration.up(db.queryRunner);
    await migration.down(db.queryRunner);
    expect(db.changes).toEqual([]);
  });

  it('refreshes both aggregates over the retention plus two days, keeping each policy’s other settings', async () => {
    const db = runner({ hypertable: true, retentionDays: 60 });
    await migration.up(db.queryRunner);
    const windows = db.changes.filter((change) => change.sql.startsWith('SELECT alter_job'));
    expect(windows.map((change) => change.parameters)).toEqual([
      ['compliance_events_hourly_cagg', '62 days'],
      ['compliance_events_daily_cagg', '62 days'],
    ]);
    expect(windows[0].sql).toContain(`jsonb_set(job.config, '{start_offset}', to_jsonb($2::text))`);
  });

  it('segments compression by framework and orders it by time, then the rest of the primary key', async () => {
    const db = runner({ hypertable: true });
    await migration.up(db.queryRunner);
    expect(db.changes.at(-1)?.sql).toBe(
      "ALTER TABLE compliance_events SET ( timescaledb.compress, timescaledb.compress_segmentby = 'framework', " +
        "timescaledb.compress_orderby = 'occurred_at DESC, source_event_id')",
    );
  });

  it('keeps the old compression settings where TimescaleDB refuses to change them (2.13 with compressed chunks)', async () => {
    const db = runner({ hypertable: true, canChange: false });
    await migration.up(db.queryRunner);
    expect(db.changes.map((change) => change.sql.split(' ')[0])).toEqual(['SELECT', 'SELECT']);
  });

  it('goes back to the 80-day window and time-only ordering of 1764300002001', async () => {
    const db = runner({ hypertable: true });
    await migration.down(db.queryRunner);
    expect(db.changes.slice(0, 2).map((change) => change.parameters?.[1])).toEqual(['80 days', '80 days']);
    expect(db.changes.at(-1)?.sql).toContain("timescaledb.compress_orderby = 'occurred_at DESC')");
  });
});
