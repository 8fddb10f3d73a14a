import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config.js';
import { validateEnvironment } from '../../../src/config/environment.js';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options.js';
import type { TransactionContext } from '../../../src/infrastructure/database/transaction-context.js';
import { AuditGuards } from '../../../src/modules/audit/audit-guards.js';
import { adminQuery, ADMIN_URL } from '../../support/database.js';

/**
 * Migrations run by a role that owns its database but is not superuser: everything but the event
 * triggers is created, and the migration does not fail.
 */
describe('audit guards migrated without a superuser', () => {
  const name = `ck_test_nosuper_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let url: string;

  beforeAll(async () => {
    await adminQuery(`CREATE ROLE ${name} LOGIN NOSUPERUSER`);
    // The TimescaleDB probe of an earlier migration reads shared_preload_libraries (managed services grant this).
    await adminQuery(`GRANT pg_read_all_settings TO ${name}`);
    await adminQuery(`CREATE DATABASE ${name} OWNER ${name}`);
    const parsed = new URL(ADMIN_URL);
    parsed.username = name;
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: url }));
    dataSource = await new DataSource({
      ...buildDataSourceOptions(config.database, url),
      migrationsRun: false,
    }).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminQuery(`DROP ROLE IF EXISTS ${name}`);
  });

  it('migrates without the event triggers, says so to verify, and still refuses TRUNCATE of a partition', async () => {
    await dataSource.runMigrations();
    expect(await dataSource.query(`SELECT evtname FROM pg_event_trigger WHERE evtname LIKE 'audit_%'`)).toEqual([]);
    const [{ partition }] = (await dataSource.query(
      `SELECT inhrelid::regclass::text AS partition FROM pg_inherits WHERE inhparent = 'audit_events'::regclass LIMIT 1`,
    )) as { partition: string }[];
    await expect(dataSource.query(`TRUNCATE ${partition}`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`TRUNCATE audit_checkpoints`)).rejects.toThrow(/append-only/);
    const guards = new AuditGuards({ manager: dataSource.manager } as TransactionContext);
    expect(await guards.warnings()).toEqual(['ddl_guard_missing']);
  });
});
