import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config.js';
import { validateEnvironment } from '../../src/config/environment.js';
import { buildDataSourceOptions } from '../../src/infrastructure/database/data-source-options.js';
import { MIGRATIONS } from '../../src/infrastructure/database/migrations/index.js';
import { detectEventsLayout } from '../../src/modules/compliance/analytics/layout/events-layout.js';
import { timescaleAvailable } from '../../src/infrastructure/database/migrations/1764300002001-MoveComplianceEventsToTimescale.js';
import { createTestDatabase, TestDatabase } from '../support/database.js';

describe('migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    dataSource = await new DataSource({
      ...buildDataSourceOptions(config.database, db.url),
      migrationsRun: false,
    }).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const tables = () =>
    db.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`,
    );
  const indexes = () =>
    db.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%' ORDER BY 1`,
    );

  it('goes up, all the way down, and up again on an empty database', async () => {
    await dataSource.runMigrations();
    const upTables = await tables();
    const upIndexes = await indexes();
    expect(upTables.map((t) => t.tablename)).toContain('service_instances');
    expect(upIndexes.map((i) => i.indexname)).toContain('idx_service_instances_last_seen');
    expect(upTables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(['audit_events', 'audit_chain_heads', 'audit_checkpoints']),
    );
    expect(upIndexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining([
        'idx_audit_user_timestamp',
        'idx_audit_event_timestamp',
        'idx_audit_critical_timestamp',
        'idx_audit_details',
      ]),
    );
    expect(upTables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(['control_catalogs', 'controls', 'control_mappings']),
    );
    expect(upIndexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(['idx_control_mappings_source_relationship', 'idx_control_mappings_target_relationship']),
    );

    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    expect(await tables()).toEqual([]);
    expect(await indexes()).toEqual([]);

    await dataSource.runMigrations();
    expect(await tables()).toEqual(upTables);
    expect(await indexes()).toEqual(upIndexes);
  });

  it('leaves compliance_events in the layout the server supports: TimescaleDB where available, native elsewhere', async () => {
    const timescale = await timescaleAvailable(dataSource);
    expect(await detectEventsLayout(dataSource)).toBe(timescale ? 'timescale' : 'native');
    const [events] = await db.query<{ relkind: string }>(
      `SELECT relkind FROM pg_class WHERE relname = 'compliance_events'`,
    );
    const relations = (await tables()).map((t) => t.tablename);
    if (!timescale) {
      expect(events.relkind).toBe('p');
      expect(relations).toEqual(expect.arrayContaining(['compliance_events_default', 'compliance_events_hourly']));
      return;
    }
    // A hypertable is a plain table whose chunks live in TimescaleDB's schema; the rollup became views.
    expect(events.relkind).toBe('r');
    expect(relations.filter((name) => name.startsWith('compliance_events'))).toEqual(['compliance_events']);
    const views = await db.query<{ view_name: string }>(
      `SELECT view_name::text FROM timescaledb_information.continuous_aggregates ORDER BY 1`,
    );
    expect(views.map((view) => view.view_name)).toEqual([
      'compliance_events_daily_cagg',
      'compliance_events_hourly_cagg',
    ]);
  });
});
