import type { QueryRunner } from 'typeorm';
import { MoveComplianceEventsToTimescale1764300002001 } from '../../../src/infrastructure/database/migrations/1764300002001-MoveComplianceEventsToTimescale';

/** A query runner over a database in the given state; records every statement. */
function runner(state: { available: boolean; installed: boolean; hypertable: boolean }) {
  const statements: string[] = [];
  const queryRunner = {
    query: (sql: string) => {
      statements.push(sql.replace(/\s+/g, ' ').trim());
      if (sql.includes('AS available')) return Promise.resolve([{ available: state.available }]);
      if (sql.includes('AS installed')) return Promise.resolve([{ installed: state.installed }]);
      if (sql.includes('AS hypertable')) return Promise.resolve([{ hypertable: state.hypertable }]);
      return Promise.resolve([]);
    },
  } as unknown as QueryRunner;
  const changes = () => statements.filter((s) => !/AS (available|installed|hypertable)$/.test(s));
  const position = (start: string) => changes().findIndex((s) => s.startsWith(start));
  return { queryRunner, changes, position };
}

describe('MoveComplianceEventsToTimescale migration', () => {
  const migration = new MoveComplianceEventsToTimescale1764300002001();

  it('changes nothing where TimescaleDB is not available', async () => {
    const db = runner({ available: false, installed: false, hypertable: false });
    await migration.up(db.queryRunner);
    expect(db.changes()).toEqual([]);
  });

  it('changes nothing on a database already converted', async () => {
    const db = runner({ available: true, installed: true, hypertable: true });
    await migration.up(db.queryRunner);
    expect(db.changes()).toEqual([]);
  });

  it('sets the native table aside, copies its rows into the new hypertable, then drops the native tables', async () => {
    const db = runner({ available: true, installed: false, hypertable: false });
    await migration.up(db.queryRunner);
    const order = [
      'CREATE EXTENSION IF NOT EXISTS timescaledb',
      'ALTER TABLE compliance_events RENAME TO compliance_events_native',
      'CREATE TABLE compliance_events (',
      "SELECT create_hypertable('compliance_events', by_range('occurred_at', INTERVAL '1 day')",
      'INSERT INTO compliance_events (source_event_id, record_id, framework, status, score, occurred_at) SELECT',
      'DROP TABLE compliance_events_native',
      'DROP TABLE compliance_events_hourly',
      'CREATE MATERIALIZED VIEW compliance_events_hourly_cagg',
      'CREATE MATERIALIZED VIEW compliance_events_daily_cagg',
    ].map(db.position);
    expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]))).toBe(true);
    expect(db.changes().filter((s) => s.includes('timescaledb.materialized_only = false'))).toHaveLength(2);
    expect(db.changes().filter((s) => s.startsWith('SELECT add_retention_policy'))).toHaveLength(3);
  });

  it('goes back only from a hypertable, copying the rows out before dropping it and rebuilding the rollup from them', async () => {
    const native = runner({ available: true, installed: true, hypertable: false });
    await migration.down(native.queryRunner);
    expect(native.changes()).toEqual([]);

    const db = runner({ available: true, installed: true, hypertable: true });
    await migration.down(db.queryRunner);
    const order = [
      'CREATE TEMP TABLE compliance_events_copy',
      'DROP MATERIALIZED VIEW compliance_events_daily_cagg',
      'DROP TABLE compliance_events',
      'CREATE TABLE compliance_events_default PARTITION OF compliance_events DEFAULT',
      'INSERT INTO compliance_events (',
      'INSERT INTO compliance_events_hourly',
      'DROP TABLE compliance_events_copy',
    ].map(db.position);
    expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]))).toBe(true);
  });
});
