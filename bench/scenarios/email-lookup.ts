import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import { FieldCipher } from '../../src/modules/encryption/field-cipher';
import { UsersService } from '../../src/modules/users/users.service';
import { DURATION_SECONDS } from '../lib/load';
import { report } from '../lib/report';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

type LatencyRow = {
  name: string;
  lookups: number;
  p50Ms: number;
  p99Ms: number;
};

/** Looks up random users for the bench duration; `lookup` must find exactly the asked-for email. */
async function timeLookups(name: string, lookup: (email: string) => Promise<unknown>): Promise<LatencyRow> {
  const latencies: number[] = [];
  const deadline = performance.now() + DURATION_SECONDS * 1000;
  while (performance.now() < deadline) {
    const email = `user${Math.floor(Math.random() * USERS)}@example.com`;
    const started = performance.now();
    const found = await lookup(email);
    latencies.push(performance.now() - started);
    if (found !== email) throw new Error(`${name} returned the wrong user for ${email}`);
  }
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    name,
    lookups: latencies.length,
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

/**
 * UsersService.findActiveByEmail (blind index + decrypt) at BENCH_USERS users on a throwaway
 * database, against a plaintext lookup of the same emails in an indexed table through the bare driver.
 */
export async function emailLookup(): Promise<void> {
  const name = `ck_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const app = await createApp({
    environment: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: url.toString(), DATA_DIR: '.data/bench' },
  });
  const seed = new Client({ connectionString: url.toString() });
  try {
    await app.init();
    const cipher = app.get(FieldCipher);
    await seed.connect();
    await seed.query('CREATE TABLE plain_users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, role text)');
    for (let start = 0; start < USERS; start += 5_000) {
      const emails = Array.from({ length: Math.min(5_000, USERS - start) }, (_, i) => `user${start + i}@example.com`);
      await seed.query(
        `INSERT INTO users (email, email_index, role, status, password_hash)
         SELECT e, i, 'analyst', 'active', 'scrypt$1$1$1$AA$AA' FROM unnest($1::text[], $2::text[]) AS v(e, i)`,
        [emails.map((e) => cipher.encrypt(e, 'users.email')), emails.map((e) => cipher.blindIndex(e))],
      );
      await seed.query(`INSERT INTO plain_users (email, role) SELECT unnest($1::text[]), 'analyst'`, [emails]);
    }
    await seed.query('ANALYZE users');
    await seed.query('ANALYZE plain_users');

    const users = app.get(UsersService);
    const encrypted = await timeLookups(`findActiveByEmail at ${USERS} users`, async (email) => {
      return (await users.findActiveByEmail(email))?.email;
    });
    const plain = await timeLookups(`plaintext email lookup at ${USERS} rows (bare pg)`, async (email) => {
      const { rows } = await seed.query<{ email: string }>('SELECT email, role FROM plain_users WHERE email = $1', [
        email,
      ]);
      return rows[0]?.email;
    });
    const latency = (metric: string, key: 'p50Ms' | 'p99Ms') => ({
      metric: `email lookup ${metric} at ${USERS} users`,
      value: encrypted[key],
      baseline: plain[key],
      baselineLabel: 'plaintext indexed lookup',
      unit: 'ms',
    });
    report({
      benchmark: 'email-lookup',
      rows: [encrypted, plain],
      summary: [latency('p50', 'p50Ms'), latency('p99', 'p99Ms')],
    });
  } finally {
    await seed.end().catch(() => undefined);
    await app.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
