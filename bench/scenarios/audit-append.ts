import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import { TransactionContext } from '../../src/infrastructure/database/transaction-context';
import { OutboxRelay } from '../../src/infrastructure/outbox/outbox-relay';
import type { AuditEventInput, ChainedEvent } from '../../src/modules/audit/audit-event';
import { AuditService } from '../../src/modules/audit/audit.service';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier';
import { insertEvents } from '../../src/modules/audit/chain/audit-rows';
import { backendsCpuBetween, databaseBackendsCpu } from '../lib/process-cpu';
import { ratio, report } from '../lib/report';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCHED_EVENTS = 100_000;
const IN_FLIGHT = 5_000;
const TX_EVENTS = 10_000;
const TX_CONCURRENCY = 8;
/** Each figure is the sum of this many alternating rounds, so drifting machine load falls on both sides. */
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 5);

const event = (i: number): AuditEventInput => ({
  action: 'compliance.record.updated',
  actorId: `u_${i % 500}`,
  resourceType: 'compliance_record',
  resourceId: `rec_${i}`,
  request: { requestId: `req-${i}`, ip: '10.0.0.1', userAgent: 'bench' },
  details: { before: { status: 'draft', ssn: '[encrypted]' }, after: { status: 'final', ssn: '[encrypted]' } },
});

/**
 * Audit append throughput through the real chain (group-committed detached appends, and one event
 * per transaction as a mutating request does, each with its outbox row) vs plain inserts of the
 * same rows into an identically indexed table without the chain or the outbox, in alternating
 * rounds; then verify throughput over the whole trail.
 */
export async function auditAppend(): Promise<void> {
  const name = `ck_bench_audit_${randomBytes(4).toString('hex')}`;
  await admin(ADMIN_URL, `CREATE DATABASE ${name}`);
  const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
  const app = await createApp({
    environment: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
      DATA_DIR: '.data/bench',
      DATABASE_POOL_MAX: '20',
    },
  });
  try {
    await app.init();
    await createPlainTable(app);
    const totals = { chained: 0, plain: 0, indexed: 0, chainedTx: 0, plainTx: 0, indexedTx: 0 };
    const chainedCpu = { app: 0, postgres: 0 };
    const plainCpu = { app: 0, postgres: 0 };
    /** Runs `work`, adding the CPU this process (the app) and the database's backends used to `into`. */
    const measured = async (into: typeof chainedCpu, work: () => Promise<number>) => {
      const app = process.cpuUsage();
      const backends = databaseBackendsCpu(name);
      const ms = await work();
      const used = process.cpuUsage(app);
      into.app += (used.user + used.system) / 1e6;
      into.postgres += backendsCpuBetween(backends, databaseBackendsCpu(name));
      return ms;
    };
    const batchedRound = BATCHED_EVENTS / ROUNDS;
    const txRound = TX_EVENTS / ROUNDS;
    for (let round = 0; round < ROUNDS; round++) {
      const plainRound = async () => {
        totals.plain += await measured(plainCpu, () => plainBatched(app, round * batchedRound, batchedRound));
        totals.plainTx += await plainPerTransaction(app, round * txRound, txRound);
      };
      if (round % 2) await plainRound();
      totals.chained += await measured(chainedCpu, () => batched(app, round * batchedRound, batchedRound));
      totals.indexed += await searchCaughtUp(app);
      totals.chainedTx += await perTransaction(app, round * txRound, txRound);
      totals.indexedTx += await searchCaughtUp(app);
      if (round % 2 === 0) await plainRound();
    }
    const rows = [
      row('chained append, group commit (≤1000/tx, 4 writers)', BATCHED_EVENTS, totals.chained, chainedCpu),
      row('plain insert of the same events, batches of 1000, 4 writers', BATCHED_EVENTS, totals.plain, plainCpu),
      row(`chained append, one per transaction, ${TX_CONCURRENCY} concurrent`, TX_EVENTS, totals.chainedTx),
      row(`plain insert, one per transaction, ${TX_CONCURRENCY} concurrent`, TX_EVENTS, totals.plainTx),
      await verify(app),
      row('search caught up after the group-committed appends', BATCHED_EVENTS, totals.indexed),
      row('search caught up after the one-per-transaction appends', TX_EVENTS, totals.indexedTx),
    ];
    const cpuPerEvent = (cpu: typeof chainedCpu) => Math.round(((cpu.app + cpu.postgres) / BATCHED_EVENTS) * 1e7) / 10;
    report({
      benchmark: 'audit-append',
      rows,
      ratios: {
        'chained / plain (batched) events/s': ratio(Number(rows[0]['events/s']), Number(rows[1]['events/s'])),
        'chained / plain (one per transaction) events/s': ratio(
          Number(rows[2]['events/s']),
          Number(rows[3]['events/s']),
        ),
      },
      summary: [
        {
          metric: 'chained append, group commit',
          value: Number(rows[0]['events/s']),
          baseline: Number(rows[1]['events/s']),
          baselineLabel: 'plain inserts, same batches',
          unit: 'events/s',
        },
        {
          metric: 'chained append, group commit: CPU per event, app + Postgres (load moves it less than events/s)',
          value: cpuPerEvent(chainedCpu),
          baseline: cpuPerEvent(plainCpu),
          baselineLabel: 'plain inserts, same batches',
          unit: 'µs',
        },
        {
          metric: 'chained append, one event per transaction',
          value: Number(rows[2]['events/s']),
          baseline: Number(rows[3]['events/s']),
          baselineLabel: 'plain insert per transaction',
          unit: 'events/s',
        },
      ],
    });
  } finally {
    await app.close();
    await admin(ADMIN_URL, `DROP DATABASE ${name} WITH (FORCE)`);
  }
}

/** Milliseconds to append `count` events through the group commit, `IN_FLIGHT` at a time. */
async function batched(app: NestFastifyApplication, first: number, count: number): Promise<number> {
  const audit = app.get(AuditService);
  const started = performance.now();
  for (let sent = 0; sent < count; sent += IN_FLIGHT) {
    const wave = Math.min(IN_FLIGHT, count - sent);
    await Promise.all(Array.from({ length: wave }, (_, i) => audit.recordDetached(event(first + sent + i))));
  }
  return performance.now() - started;
}

/** The same events, with a place but no lock, no hash and no head update, batches of 1000 by 4 writers. */
async function plainBatched(app: NestFastifyApplication, first: number, count: number): Promise<number> {
  const transactions = app.get(TransactionContext);
  const events: ChainedEvent[] = Array.from({ length: count }, (_, n) => {
    const i = first + n;
    const input = event(i);
    return {
      shard: 0,
      seq: i + 1,
      occurredAt: new Date(),
      id: randomUUID(),
      actorId: input.actorId ?? 'system',
      action: input.action,
      resourceType: input.resourceType ?? null,
      resourceId: input.resourceId ?? null,
      outcome: 'success',
      severity: 'info',
      requestId: input.request?.requestId ?? null,
      ip: input.request?.ip ?? null,
      userAgent: input.request?.userAgent ?? null,
      details: input.details ?? {},
      prevHash: '',
      hash: '',
    };
  });
  const started = performance.now();
  const writer = async () => {
    for (let batch = events.splice(0, 1000); batch.length; batch = events.splice(0, 1000)) {
      await transactions.run((manager) => insertEvents(manager, batch, 'audit_bench_plain'));
    }
  };
  await Promise.all(Array.from({ length: 4 }, writer));
  return performance.now() - started;
}

async function perTransaction(app: NestFastifyApplication, first: number, count: number): Promise<number> {
  const audit = app.get(AuditService);
  const transactions = app.get(TransactionContext);
  let next = first;
  const started = performance.now();
  const worker = async () => {
    while (next < first + count) {
      const i = next++;
      await transactions.run(() => audit.record(event(i)));
    }
  };
  await Promise.all(Array.from({ length: TX_CONCURRENCY }, worker));
  return performance.now() - started;
}

async function plainPerTransaction(app: NestFastifyApplication, first: number, count: number): Promise<number> {
  const transactions = app.get(TransactionContext);
  let next = first;
  const started = performance.now();
  const worker = async () => {
    while (next < first + count) {
      const seq = ++next;
      const e = event(seq);
      await transactions.run((manager) =>
        manager.query(
          `INSERT INTO audit_bench_plain (occurred_at, shard, seq, id, actor_id, action, resource_type, resource_id,
             outcome, severity, request_id, ip, user_agent, details, prev_hash, hash)
           VALUES (now(), 1, $1, gen_random_uuid(), $2, $3, $4, $5, 'success', 'info', $6, $7, $8, $9, '', '')`,
          [
            seq,
            e.actorId,
            e.action,
            e.resourceType,
            e.resourceId,
            e.request?.requestId,
            e.request?.ip,
            'bench',
            e.details,
          ],
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: TX_CONCURRENCY }, worker));
  return performance.now() - started;
}

async function verify(app: NestFastifyApplication) {
  const started = performance.now();
  const result = await app.get(AuditVerifier).verify();
  if (!result.ok) throw new Error(`bench trail does not verify: ${JSON.stringify(result.firstBroken)}`);
  return row('verify whole trail', result.eventsChecked, performance.now() - started);
}

/**
 * Every appended event goes to the audit search index through the outbox. Waiting for the relay
 * after each chained round keeps that indexing out of the next round's timing (plain or chained);
 * the milliseconds it takes after the last append (it runs during the appends too) are reported
 * as their own row.
 */
async function searchCaughtUp(app: NestFastifyApplication): Promise<number> {
  const started = performance.now();
  await app.get(OutboxRelay).drain();
  return performance.now() - started;
}

async function createPlainTable(app: NestFastifyApplication): Promise<void> {
  const manager = app.get(TransactionContext).manager;
  await manager.query(
    `CREATE TABLE audit_bench_plain (LIKE audit_events INCLUDING DEFAULTS) PARTITION BY RANGE (occurred_at)`,
  );
  await manager.query(`CREATE TABLE audit_bench_plain_all PARTITION OF audit_bench_plain DEFAULT`);
  await manager.query(`ALTER TABLE audit_bench_plain ADD PRIMARY KEY (shard, seq, occurred_at)`);
  await manager.query(`CREATE INDEX ON audit_bench_plain (actor_id, occurred_at DESC)`);
  await manager.query(`CREATE INDEX ON audit_bench_plain (action, occurred_at DESC)`);
  await manager.query(`CREATE INDEX ON audit_bench_plain (resource_type, resource_id, occurred_at DESC)`);
  await manager.query(`CREATE INDEX ON audit_bench_plain (occurred_at DESC, shard, seq)`);
  await manager.query(`CREATE INDEX ON audit_bench_plain (occurred_at DESC) WHERE severity = 'critical'`);
  await manager.query(`CREATE INDEX ON audit_bench_plain USING gin (details jsonb_path_ops)`);
}

/** With `cpu`: CPU µs per event of the app (this process) and of the database's Postgres backends. */
function row(label: string, events: number, ms: number, cpu?: { app: number; postgres: number }) {
  const seconds = ms / 1000;
  const perEvent = (cpuSeconds: number) => Math.round((cpuSeconds / events) * 1e7) / 10;
  return {
    scenario: label,
    events,
    seconds: Math.round(seconds * 100) / 100,
    'events/s': Math.round(events / seconds),
    ...(cpu && { 'app CPU µs/event': perEvent(cpu.app), 'Postgres CPU µs/event': perEvent(cpu.postgres) }),
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
