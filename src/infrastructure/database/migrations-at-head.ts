import { Logger } from '@nestjs/common';
import type { Client, ClientConfig } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { tlsBootFailure } from './postgres-tls.js';

/** The one lock every process that migrates this database takes: replicas at boot, the CLI, init containers. */
const MIGRATION_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended('compliance-kit:migrations', 0))`;
const WAIT_LOG_INTERVAL_MS = 10_000;

/** Carried on the app's DataSource options to `openAtHead` (TypeORM passes unknown keys through). */
export const SCHEMA_POLICY = Symbol('schemaPolicy');
interface SchemaPolicy {
  migrationsRun: boolean;
  waitMs: number;
}

/** The app's DataSource, opened only once the schema holds every migration of this build. */
export async function openAtHead(options: DataSourceOptions): Promise<DataSource> {
  const { migrationsRun, waitMs } = (options as DataSourceOptions & { [SCHEMA_POLICY]: SchemaPolicy })[SCHEMA_POLICY];
  const dataSource = await initializeDataSource(options);
  try {
    if (migrationsRun) await runMigrationsLocked(dataSource);
    else await waitForMigrations(dataSource, waitMs);
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

/** Opens the pool; a TLS failure becomes one line saying which setting to look at. */
export function initializeDataSource(options: DataSourceOptions): Promise<DataSource> {
  return new DataSource(options).initialize().catch((error: unknown) => {
    throw tlsBootFailure(error) ?? error;
  });
}

/**
 * Applies pending migrations while a separate connection holds a transaction-scoped advisory lock,
 * so processes started together take turns: the first migrates, the others then find nothing
 * pending. TypeORM takes no lock of its own (typeorm#4588). A transaction lock, not a session one,
 * because it dies with its connection and survives a transaction-pooling PgBouncer. Returns the
 * names applied.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const lock = lockClient(dataSource);
  await lock.connect();
  try {
    await lock.query('BEGIN');
    // Waiting for another replica's migrations may take longer than any default timeout.
    await lock.query('SET LOCAL statement_timeout = 0');
    await lock.query('SET LOCAL idle_in_transaction_session_timeout = 0');
    await lock.query(MIGRATION_LOCK_SQL);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await lock.query('COMMIT');
    return applied.map((migration) => migration.name);
  } finally {
    await lock.end();
  }
}

/**
 * A connection outside the DataSource's pool (a pool of one would deadlock) made like its own
 * clients: the same server, following the same host list.
 */
function lockClient(dataSource: DataSource): Client {
  const pool = (dataSource.driver as unknown as { master: { Client: typeof Client; options: ClientConfig } }).master;
  return new pool.Client({ ...pool.options, application_name: 'compliance-kit:migrations' });
}

/** This build's migrations that the database has not applied (all of them before the first run). */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const [{ exists }] = await dataSource.query<{ exists: boolean }[]>(`SELECT to_regclass($1) IS NOT NULL AS "exists"`, [
    table,
  ]);
  const applied = exists
    ? new Set((await dataSource.query<{ name: string }[]>(`SELECT name FROM "${table}"`)).map((row) => row.name))
    : new Set<string>();
  return dataSource.migrations.map((migration) => migration.name!).filter((name) => !applied.has(name));
}

/**
 * For a process that leaves migrations to someone else (DATABASE_MIGRATIONS_RUN=false): wait until
 * the schema holds every migration this build knows, so no module starts on an older schema
 * whatever order a deployment starts things in. A newer schema (a later release migrated first)
 * is fine: migrations only add what older code ignores.
 */
export async function waitForMigrations(
  dataSource: DataSource,
  timeoutMs: number,
  intervalMs = 1_000,
  logger = new Logger('Migrations'),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextLog = 0;
  for (;;) {
    const pending = await pendingMigrations(dataSource);
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `the database lacks ${pending.length} migration(s) of this build after ${timeoutMs} ms (first: ${pending[0]}); ` +
          'run `npm run migration:run` or set DATABASE_MIGRATIONS_RUN=true',
      );
    }
    if (Date.now() >= nextLog) {
      logger.warn(`waiting for ${pending.length} pending migration(s), first ${pending[0]}`);
      nextLog = Date.now() + WAIT_LOG_INTERVAL_MS;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
