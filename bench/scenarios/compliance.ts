import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { demoRecords } from '../../src/cli/demo-data';
import { startApp } from '../lib/app-process';
import { BENCH_CLIENT_HEADERS, logIn } from '../lib/login';
import { BenchDatabase, freshDatabase, timeSequential } from '../lib/bench-database';
import {
  copyIntoBareTable,
  copyIntoRecordsTable,
  copyText,
  createEventPartitions,
  insertSyntheticEvents,
} from '../lib/compliance-fixtures';
import { load, LoadResult } from '../lib/load';
import { ratio, report } from '../lib/report';

const BULK_BATCHES = Number(process.env.BENCH_BULK_BATCHES ?? 5);
/** Share of bulk records that carry evidence notes (encrypted by the app, plain text in the COPY). */
const NOTES_SHARE = Number(process.env.BENCH_EVIDENCE_NOTES ?? 1);
const ANALYTICS_EVENTS = Number(process.env.BENCH_ANALYTICS_EVENTS ?? 10_000_000);
const DAYS = 90;
const HOT_IDS = 100;
const EMAIL = 'bench.admin@example.com';
const PASSWORD = randomBytes(18).toString('base64url');

async function outboxDrained(client: Client): Promise<void> {
  const pending = async () =>
    Number((await client.query(`SELECT count(*) AS n FROM outbox_deliveries WHERE status = 'pending'`)).rows[0].n);
  while (await pending()) await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * Compliance records end to end on the machine's Postgres and Redis: single POST req/s; bulk
 * ingest records/s (records with encrypted evidence notes + outbox, then until the relay has
 * written every event) vs COPY of the same rows into a bare table and into a table with the
 * records' indexes and constraints; GET by id cold (miss + fill) vs hot (cache hit); analytics
 * over ANALYTICS_EVENTS events from the rollup vs from raw events.
 */
export async function compliance(): Promise<void> {
  const db = await freshDatabase('ck_bench_compliance');
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
  });
  let authorization = '';
  const post = (path: string, json: string) =>
    fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS, authorization },
      body: json,
    });
  try {
    authorization = `Bearer ${await logIn(app.url, EMAIL, PASSWORD)}`;
    await createEventPartitions(db.client, DAYS);
    const rows: LoadResult[] = [];
    const [single] = demoRecords(1, 7, new Date(), DAYS);
    rows.push(
      await load('POST /compliance/records (single)', `${app.url}/compliance/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...BENCH_CLIENT_HEADERS, authorization },
        body: JSON.stringify(single),
      }),
    );

    const data = demoRecords(BULK_BATCHES * 10_000, 42, new Date(), DAYS).map((record, i) =>
      i % 100 < NOTES_SHARE * 100
        ? {
            ...record,
            evidenceNotes: `Interviewed ${record.entityId} owner (case ${i}); access log and tickets reviewed.`,
          }
        : record,
    );
    // The single POSTs' events are still being relayed: bulk ingest starts once they are done.
    await outboxDrained(db.client);
    // Serialized before timing, as the COPY's text is: both figures are the server's work alone.
    const bodies = Array.from({ length: BULK_BATCHES }, (_, batch) =>
      JSON.stringify({ records: data.slice(batch * 10_000, (batch + 1) * 10_000) }),
    );
    const ids: string[] = [];
    const bulkStarted = performance.now();
    for (const body of bodies) {
      const res = await post('/compliance/records/bulk', body);
      if (res.status !== 201) throw new Error(`bulk ingest answered ${res.status}: ${await res.text()}`);
      ids.push(...((await res.json()) as { ids: string[] }).ids);
    }
    const bulkMs = performance.now() - bulkStarted;
    await outboxDrained(db.client);
    const drainedMs = performance.now() - bulkStarted;
    const text = copyText(data);
    const copyMs = await copyIntoBareTable(db.client, text);
    const copyIndexedMs = await copyIntoRecordsTable(db.client, text);

    const hot = ids.slice(0, HOT_IDS);
    for (const id of hot)
      await fetch(`${app.url}/compliance/records/${id}`, { headers: { ...BENCH_CLIENT_HEADERS, authorization } });
    const cold = ids.slice(HOT_IDS);
    const cycle = (list: string[]) => {
      let next = 0;
      return [
        {
          method: 'GET' as const,
          headers: { ...BENCH_CLIENT_HEADERS, authorization },
          setupRequest: (req: object) => ({ ...req, path: `/compliance/records/${list[next++ % list.length]}` }),
        },
      ];
    };
    const amount = Math.min(cold.length, 20_000);
    const coldGet = await load('GET /compliance/records/:id cold (miss + fill)', app.url, {
      requests: cycle(cold),
      amount,
    });
    const hotGet = await load('GET /compliance/records/:id hot (cache hit)', app.url, {
      requests: cycle(hot),
      amount,
    });
    rows.push(coldGet, hotGet);

    await insertSyntheticEvents(db.client, ANALYTICS_EVENTS, DAYS);
    const to = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const from = new Date(to.getTime() - DAYS * 86_400_000);
    const analytics = (start: Date) => async () => {
      const res = await fetch(
        `${app.url}/compliance/analytics?from=${start.toISOString()}&to=${to.toISOString()}&bucket=1d&groupBy=status`,
        { headers: { ...BENCH_CLIENT_HEADERS, authorization } },
      );
      if (res.status !== 200) throw new Error(`analytics answered ${res.status}`);
      await res.json();
    };
    const rollup = await timeSequential(5, analytics(from));
    const raw = await timeSequential(3, analytics(new Date(from.getTime() + 1_000)));
    const events = Number((await db.client.query('SELECT count(*) AS n FROM compliance_events')).rows[0].n);

    const records = BULK_BATCHES * 10_000;
    const perSecond = (ms: number) => Math.round((records / ms) * 1000);
    report({
      benchmark: 'compliance',
      rows: [
        ...rows,
        { name: `bulk ingest ${records} records (records + outbox committed)`, recordsPerSecond: perSecond(bulkMs) },
        {
          name: `bulk ingest until the relay wrote every event and cache/event delivery`,
          recordsPerSecond: perSecond(drainedMs),
        },
        { name: `COPY ${records} rows into a bare table`, recordsPerSecond: perSecond(copyMs) },
        {
          name: `COPY ${records} rows into a table like compliance_records (indexes, checks, foreign key)`,
          recordsPerSecond: perSecond(copyIndexedMs),
        },
        { name: `analytics 90 days by day and status over ${events} events, rollup`, ...rollup },
        { name: `analytics 90 days by day and status over ${events} events, raw`, ...raw },
      ],
      ratios: {
        'bulk committed / COPY records/s': ratio(perSecond(bulkMs), perSecond(copyMs)),
        'bulk incl. events / COPY records/s': ratio(perSecond(drainedMs), perSecond(copyMs)),
        'COPY into the records schema / bare COPY records/s': ratio(perSecond(copyIndexedMs), perSecond(copyMs)),
        'bulk committed / COPY into the records schema records/s': ratio(perSecond(bulkMs), perSecond(copyIndexedMs)),
        'hot / cold GET req/s': ratio(hotGet.requestsPerSecond, coldGet.requestsPerSecond),
        'cold / hot GET p99': ratio(coldGet.p99Ms, hotGet.p99Ms),
        'raw / rollup analytics p50': ratio(raw.p50Ms, rollup.p50Ms),
      },
      summary: [
        {
          metric: 'bulk ingest, records + outbox committed',
          value: perSecond(bulkMs),
          baseline: perSecond(copyMs),
          baselineLabel: 'COPY of the same rows into a bare table',
          unit: 'records/s',
        },
        {
          metric: 'bulk ingest, records + outbox committed',
          value: perSecond(bulkMs),
          baseline: perSecond(copyIndexedMs),
          baselineLabel: "COPY of the same rows into a table with the records' indexes and constraints",
          unit: 'records/s',
        },
        {
          metric: 'GET /compliance/records/:id, cache hit',
          value: hotGet.requestsPerSecond,
          baseline: coldGet.requestsPerSecond,
          baselineLabel: 'cache miss + fill',
          unit: 'req/s',
        },
        {
          metric: `analytics over ${events} events, rollup p50`,
          value: rollup.p50Ms,
          baseline: raw.p50Ms,
          baselineLabel: 'raw events',
          unit: 'ms',
        },
      ],
    });
  } finally {
    await app.stop();
  }
}
