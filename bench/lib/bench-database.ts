import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  url: string;
  client: Client;
  drop(): Promise<void>;
}

/** `<label>_<pid>_<random>`: two runs at once (or a run and a crashed one's leftovers) never share a database. */
export function uniqueDatabaseName(label: string): string {
  return `${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
}

/**
 * A fresh database with a unique name on the machine's Postgres for one scenario; the scenario
 * drops it in a `finally`, so it goes on failure too.
 */
export async function freshDatabase(label: string): Promise<BenchDatabase> {
  const name = uniqueDatabaseName(label);
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    client,
    drop: async () => {
      await client.end();
      const cleanup = new Client({ connectionString: ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** Runs `work` `times` times in a row and returns its p50 and max in milliseconds. */
export async function timeSequential(
  times: number,
  work: () => Promise<void>,
): Promise<{ p50Ms: number; maxMs: number }> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { p50Ms: round(samples[Math.floor(samples.length / 2)]), maxMs: round(samples.at(-1) as number) };
}
