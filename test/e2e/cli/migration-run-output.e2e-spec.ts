import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../../src/infrastructure/database/migrations/index';
import { runBuilt } from '../../support/cli-processes';
import { createTestDatabase, TestDatabase } from '../../support/database';

/** What `npm run migration:run` runs once it has built (the image runs it the same way). */
const MIGRATE = 'dist/src/cli/migrate.js';

describe('migration:run output', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ck-migration-run-'));
  const databases: TestDatabase[] = [];
  const freshDatabase = async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  };
  const migrationRun = (db: TestDatabase, environment: Record<string, string> = {}) =>
    runBuilt(MIGRATE, [], { DATABASE_URL: db.url, DATA_DIR: dataDir, ...environment });

  afterAll(async () => {
    for (const db of databases) await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints one line per migration and a short summary, not the SQL', async () => {
    const result = await migrationRun(await freshDatabase());

    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    for (const { name } of MIGRATIONS) {
      expect(lines.filter((line) => line.includes(name))).toEqual([
        `Migration ${name} has been executed successfully.`,
      ]);
    }
    expect(lines.at(-1)).toBe(
      `migrate: applied ${MIGRATIONS.length} migration(s); the schema is at this build's head (${MIGRATIONS.length} in all)`,
    );
    expect(lines.length).toBeLessThanOrEqual(MIGRATIONS.length + 4);
    expect(result.stdout + result.stderr).not.toMatch(/CREATE TABLE|^query:/m);
  });

  it('lets replicas started together take turns: each migration applied once, every run succeeds', async () => {
    const db = await freshDatabase();

    const results = await Promise.all([migrationRun(db), migrationRun(db), migrationRun(db)]);

    expect(results.map((result) => [result.code, result.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    const summaries = results.map((result) => result.stdout.trimEnd().split('\n').at(-1));
    expect(summaries.filter((line) => line?.startsWith(`migrate: applied ${MIGRATIONS.length} `))).toHaveLength(1);
    expect(summaries.filter((line) => line?.startsWith('migrate: applied 0 '))).toHaveLength(2);
    const applied = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id');
    expect(applied.map((row) => row.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
  });

  it('refuses to run without DATABASE_URL rather than migrate an embedded cluster nobody uses', async () => {
    const result = await runBuilt(MIGRATE, [], { DATA_DIR: dataDir });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL must be set');
  });

  it('prints every statement too at LOG_LEVEL=debug', async () => {
    const result = await migrationRun(await freshDatabase(), { LOG_LEVEL: 'debug' });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('CREATE TABLE users');
    expect(result.stdout).toContain(`Migration ${MIGRATIONS[0].name} has been executed successfully.`);
  });

  it('still shows the failing statement and its error when a migration fails', async () => {
    const db = await freshDatabase();
    await db.query('CREATE TABLE service_instances (id int)');

    const result = await migrationRun(db);

    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('CREATE TABLE service_instances (');
    expect(result.stdout + result.stderr).toContain('relation "service_instances" already exists');
  });
});
