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

/** UsersService.findActiveByEmail (blind index + decrypt) at BENCH_USERS users on a throwaway database. */
export async function emailLookup(): Promise<void> {
  const name = `ck_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const app = await createApp({
    environment: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: url.toString(), DATA_DIR: '.data/bench' },
  });
  try {
    await app.init();
    const cipher = app.get(FieldCipher);
    const seed = new Client({ connectionString: url.toString() });
    await seed.connect();
    for (let start = 0; start < USERS; start += 5_000) {
      const emails = Array.from({ length: Math.min(5_000, USERS - start) }, (_, i) => `user${start + i}@example.com`);
      await seed.query(
        `INSERT INTO users (email, email_index, role, status, password_hash)
         SELECT e, i, 'analyst', 'active', 'scrypt$1$1$1$AA$AA' FROM unnest($1::text[], $2::text[]) AS v(e, i)`,
        [emails.map((e) => cipher.encrypt(e, 'users.email')), emails.map((e) => cipher.blindIndex(e))],
      );
    }
    await seed.query('ANALYZE users');
    await seed.end();

    const users = app.get(UsersService);
    const latencies: number[] = [];
    const deadline = performance.now() + DURATION_SECONDS * 1000;
    while (performance.now() < deadline) {
      const email = `user${Math.floor(Math.random() * USERS)}@example.com`;
      const started = performance.now();
      const found = await users.findActiveByEmail(email);
      latencies.push(performance.now() - started);
      if (found?.email !== email) throw new Error(`lookup returned the wrong user for ${email}`);
    }
    latencies.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    report({
      benchmark: 'email-lookup',
      rows: [
        {
          name: `findActiveByEmail at ${USERS} users`,
          lookups: latencies.length,
          p50Ms: round(percentile(latencies, 0.5)),
          p99Ms: round(percentile(latencies, 0.99)),
        },
      ],
    });
  } finally {
    await app.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
