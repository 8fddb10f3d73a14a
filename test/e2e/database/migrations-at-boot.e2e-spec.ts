import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import { runMigrationsLocked } from '../../../src/infrastructure/database/migrations-at-head';
import { MIGRATIONS } from '../../../src/infrastructure/database/migrations/index';
import { startTestAppOn, TestApp } from '../../support/app';
import { runBuilt } from '../../support/cli-processes';
import { createTestDatabase, TestDatabase } from '../../support/database';

/** Deployments start replicas and migrations in any order (kubectl apply, compose without depends_on). */
describe('the schema at boot', () => {
  const databases: TestDatabase[] = [];
  const apps: TestApp[] = [];
  const freshDatabase = async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  };
  const started = async (app: Promise<TestApp>) => {
    apps.push(await app);
    return apps.at(-1)!;
  };
  const migrateFromOutside = async (db: TestDatabase) => {
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    const dataSource = await new DataSource({
      ...buildDataSourceOptions(config.database, db.url),
      migrationsRun: false,
    }).initialize();
    try {
      return await runMigrationsLocked(dataSource);
    } finally {
      await dataSource.destroy();
    }
  };
  const appliedOnce = async (db: TestDatabase) =>
    (await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id')).map((row) => row.name);

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    for (const db of databases) await db.drop();
  });

  it('two replicas booting at once on an empty database both come up, each migration applied once', async () => {
    const db = await freshDatabase();

    const [first, second] = await Promise.all([started(startTestAppOn(db)), started(startTestAppOn(db))]);

    expect(await appliedOnce(db)).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect((await first.http().get('/health/ready')).status).toBe(200);
    expect((await second.http().get('/health/ready')).status).toBe(200);
  });

  it('a replica that does not migrate waits for the schema, and is up once another process migrates', async () => {
    const db = await freshDatabase();
    let booted = false;
    const boot = started(startTestAppOn(db, { DATABASE_MIGRATIONS_RUN: 'false' })).then((app) => {
      booted = true;
      return app;
    });

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(booted).toBe(false);
    expect(await migrateFromOutside(db)).toHaveLength(MIGRATIONS.length);
    const app = await boot;

    expect((await app.http().get('/health/ready')).status).toBe(200);
  });

  it('gives up after DATABASE_MIGRATIONS_WAIT_MS, naming what is missing and what to run', async () => {
    const db = await freshDatabase();

    const result = await runBuilt('dist/src/main.js', [], {
      DATABASE_URL: db.url,
      DATABASE_MIGRATIONS_RUN: 'false',
      DATABASE_MIGRATIONS_WAIT_MS: '500',
      PORT: '0',
    });

    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(
      new RegExp(`lacks ${MIGRATIONS.length} migration\\(s\\) .*first: ${MIGRATIONS[0].name}.*npm run migration:run`),
    );
    expect(await db.query(`SELECT to_regclass('schema_migrations') AS "table"`)).toEqual([{ table: null }]);
  });

  it('accepts a schema a newer release has already migrated further', async () => {
    const db = await freshDatabase();
    await migrateFromOutside(db);
    await db.query(
      `INSERT INTO schema_migrations (timestamp, name) VALUES (9999999999999, 'FromANewerRelease9999999999999')`,
    );

    const app = await started(
      startTestAppOn(db, { DATABASE_MIGRATIONS_RUN: 'false', DATABASE_MIGRATIONS_WAIT_MS: '0' }),
    );

    expect((await app.http().get('/health/ready')).status).toBe(200);
  });
});
