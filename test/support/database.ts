import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The machine's Postgres (trust auth); override with TEST_DATABASE_URL. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs one statement as the superuser against this database. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export async function adminQuery(sql: string, params: unknown[] = [], url = ADMIN_URL) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database per test file, so files run in parallel without sharing rows; on the
 * machine's server unless `adminUrl` names another (the TimescaleDB contract tests do).
 */
export async function createTestDatabase(adminUrl = ADMIN_URL): Promise<TestDatabase> {
  const name = `ck_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`, [], adminUrl);
  const url = withDatabase(adminUrl, name);
  return {
    name,
    url,
    query: (sql, params) => adminQuery(sql, params, url) as never,
    drop: async () => {
      await adminQuery(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`, [], adminUrl);
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, [], adminUrl);
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
