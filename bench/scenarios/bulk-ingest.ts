import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { demoRecords } from '../../src/cli/demo-data';
import type { CreateRecordDto } from '../../src/modules/compliance/records/dto/create-record.dto';
import { startApp } from '../lib/app-process';
import { BenchDatabase, freshDatabase } from '../lib/bench-database';
import { copyText, createBareTable, createRecordsLikeTable, timeCopy } from '../lib/compliance-fixtures';
import { BENCH_CLIENT_HEADERS, logIn } from '../lib/login';
import { backendsCpuBetween, databaseBackendsCpu, processCpuSeconds } from '../lib/process-cpu';
import { ratio, report } from '../lib/report';

const ROUNDS = Number(process.env.BENCH_BULK_ROUNDS ?? 6);
const RECORDS = 10_000;
const EMAIL = 'bench.admin@example.com';
const PASSWORD = randomBytes(18).toString('base64url');

/** Every record carries evidence notes, which the app encrypts and the COPY stores as plain text. */
function withNotes(records: CreateRecordDto[], offset: number): CreateRecordDto[] {
  return records.map((record, i) => ({
    ...record,
    evidenceNotes: `Interviewed ${record.entityId} owner (case ${offset + i}); access log and tickets reviewed.`,
  }));
}

async function countWhere(client: Client, sql: string): Promise<number> {
  return Number((await client.query(sql)).rows[0].n);
}

/** Resolves once no outbox delivery is pending; throws if one went dead. */
async function relayed(client: Client): Promise<void> {
  while (await countWhere(client, `SELECT count(*) AS n FROM outbox_deliveries WHERE status = 'pending'`)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const dead = await countWhere(client, `SELECT count(*) AS n FROM outbox_deliveries WHERE status = 'dead'`);
  if (dead) throw new Error(`${dead} outbox deliveries went dead during bulk ingest`);
}

interface Totals {
  committed: number;
  relayed: number;
  copyRecords: number;
  copyBare: number;
}

/** CPU seconds of the app process and of the database's Postgres backends, summed over rounds. */
interface Cpu {
  app: number;
  postgres: number;
}

/** Runs `work` and adds the CPU it made the app and the database's backends use to `into`. */
async function measured<T>(into: Cpu, appPid: number, database: string, work: () => Promise<T>): Promise<T> {
  const app = processCpuSeconds(appPid) ?? 0;
  const backends = databaseBackendsCpu(database);
  const result = await work();
  into.app += (processCpuSeconds(appPid) ?? 0) - app;
  into.postgres += backendsCpuBetween(backends, databaseBackendsCpu(database));
  return result;
}

/**
 * `POST /compliance/records/bulk` of 10,000 records (evidence notes encrypted, outbox, audit, all
 * committed) against a COPY of the same rows into a table with compliance_records' columns,
 * indexes, checks and foreign key, in alternating rounds on the same database so load from other
 * processes falls on both. Each round waits until the relay has written every event and search
 * document ("until relayed") before the COPYs run, so neither figure pays for the other's
 * background work. A COPY into a bare table is kept for context. CPU per record (app process,
 * the database's Postgres backends) is reported beside the rates: it moves less than they do when
 * other work shares the machine.
 */
export async function bulkIngest(): Promise<void> {
  const db = await freshDatabase('ck_bench_bulk');
  try {
    await run(db);
  } finally {
    await db.drop();
  }
}

async function run(db: BenchDatabase): Promise<void> {
  const app = await startApp({
    DATABASE_URL: db.url,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    HTTP_BODY_LIMIT_BYTES: '1048576',
    ADMIN_EMAIL: EMAIL,
    ADMIN_PASSWORD: PASSWORD,
    THROTTLE_API_LIMIT: '100000000',
    ...(process.env.BENCH_APP_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS }),
  });
  try {
    const authorization = `Bearer ${await logIn(app.url, EMAIL, PASSWORD)}`;
    const post = async (body: string) => {
      const res = await fetch(`${app.url}/compliance/records/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS, authorization },
        body,
      });
      if (res.status !== 201) throw new Error(`bulk ingest answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    await createRecordsLikeTable(db.client, 'copied_records');
    await createBareTable(db.client, 'bare_records');
    // Bodies and COPY texts are made before timing: both figures are the server's work alone.
    const batches = Array.from({ length: ROUNDS + 1 }, (_, round) =>
      withNotes(demoRecords(RECORDS, 42 + round, new Date(), 90), round * RECORDS),
    );
    const bodies = batches.map((records) => JSON.stringify({ records }));
    const texts = batches.map(copyText);
    // One warm-up round of each, untimed: the JIT and the connection pool start warm.
    await post(bodies[ROUNDS]);
    await relayed(db.client);
    await timeCopy(db.client, 'copied_records', texts[ROUNDS]);
    await timeCopy(db.client, 'bare_records', texts[ROUNDS]);

    const totals: Totals = { committed: 0, relayed: 0, copyRecords: 0, copyBare: 0 };
    const database = new URL(db.url).pathname.slice(1);
    const bulkCpu: Cpu = { app: 0, postgres: 0 };
    const copyCpu: Cpu = { app: 0, postgres: 0 };
    const windows: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const copy = async () => {
        totals.copyRecords += await measured(copyCpu, app.pid, database, () =>
          timeCopy(db.client, 'copied_records', texts[round]),
        );
        totals.copyBare += await timeCopy(db.client, 'bare_records', texts[round]);
      };
      // Alternate which side goes first, so a drift in machine load does not favour either.
      if (round % 2) await copy();
      const startedAt = process.hrtime.bigint();
      const started = performance.now();
      await measured(bulkCpu, app.pid, database, () => post(bodies[round]));
      totals.committed += performance.now() - started;
      windows.push(`${startedAt / 1000n}-${process.hrtime.bigint() / 1000n}`);
      await relayed(db.client);
      totals.relayed += performance.now() - started;
      if (round % 2 === 0) await copy();
    }
    const live = await countWhere(db.client, 'SELECT count(*) AS n FROM compliance_records');
    const indexed = await countWhere(
      db.client,
      `SELECT count(*) AS n FROM search_documents WHERE index_name = 'compliance'`,
    );
    if (live !== (ROUNDS + 1) * RECORDS || indexed !== live) {
      throw new Error(`after bulk ingest: ${live} records, ${indexed} search documents`);
    }
    // Monotonic µs of each timed request, to cut the app's CPU profile to them (BENCH_APP_NODE_OPTIONS=--cpu-prof).
    if (process.env.BENCH_APP_NODE_OPTIONS) console.log(`bulk request windows (µs): ${windows.join(' ')}`);

    const records = ROUNDS * RECORDS;
    const perSecond = (ms: number) => Math.round((records / ms) * 1000);
    const committed = perSecond(totals.committed);
    const untilRelayed = perSecond(totals.relayed);
    const copyRecords = perSecond(totals.copyRecords);
    const copyBare = perSecond(totals.copyBare);
    const perRequest = (ms: number) => Math.round((ms / ROUNDS) * 10) / 10;
    const microsPerRecord = (seconds: number) => Math.round((seconds / records) * 1e7) / 10;
    report({
      benchmark: 'bulk-ingest',
      rows: [
        {
          scenario: `POST /compliance/records/bulk, ${RECORDS} records (records + outbox + audit committed)`,
          'ms per 10k': perRequest(totals.committed),
          'records/s': committed,
          'app CPU µs/record': microsPerRecord(bulkCpu.app),
          'Postgres CPU µs/record': microsPerRecord(bulkCpu.postgres),
        },
        {
          scenario: 'the same, until the relay wrote every event and search document',
          'ms per 10k': perRequest(totals.relayed),
          'records/s': untilRelayed,
        },
        {
          scenario: 'COPY of the same rows into a table like compliance_records (indexes, checks, foreign key)',
          'ms per 10k': perRequest(totals.copyRecords),
          'records/s': copyRecords,
          'app CPU µs/record': microsPerRecord(copyCpu.app),
          'Postgres CPU µs/record': microsPerRecord(copyCpu.postgres),
        },
        {
          scenario: 'COPY of the same rows into a bare table',
          'ms per 10k': perRequest(totals.copyBare),
          'records/s': copyBare,
        },
      ],
      ratios: {
        'committed / COPY into the records schema': ratio(committed, copyRecords),
        'until relayed / COPY into the records schema': ratio(untilRelayed, copyRecords),
        'COPY into the records schema / bare COPY': ratio(copyRecords, copyBare),
        'Postgres CPU per record, committed / COPY into the records schema': ratio(bulkCpu.postgres, copyCpu.postgres),
      },
      summary: [
        {
          metric: 'bulk ingest 10k, records + outbox + audit committed',
          value: committed,
          baseline: copyRecords,
          baselineLabel: "COPY of the same rows into a table with the records' schema, indexes and constraints",
          unit: 'records/s',
        },
        {
          metric: 'bulk ingest 10k, until relayed (events and search documents written)',
          value: untilRelayed,
          baseline: copyRecords,
          baselineLabel: "COPY of the same rows into a table with the records' schema, indexes and constraints",
          unit: 'records/s',
        },
        {
          metric: 'bulk ingest 10k committed: Postgres CPU per record (load moves it less than records/s)',
          value: microsPerRecord(bulkCpu.postgres),
          baseline: microsPerRecord(copyCpu.postgres),
          baselineLabel: "the COPY into the records' schema",
          unit: 'µs',
        },
        {
          metric: 'bulk ingest 10k, records + outbox + audit committed (context)',
          value: committed,
          baseline: copyBare,
          baselineLabel: 'COPY of the same rows into a bare table',
          unit: 'records/s',
        },
      ],
    });
  } finally {
    await app.stop();
  }
}
