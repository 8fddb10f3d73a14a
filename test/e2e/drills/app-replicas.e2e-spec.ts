import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpReceiver } from '../../integration/siem/siem-receivers.js';
import { dropQueueKeys } from '../../support/app.js';
import { AppReplicaSet, ReplicaLife } from '../../support/app-replicas.js';
import { aRecord } from '../../support/builders/compliance-record.builder.js';
import { aUser } from '../../support/builders/user.builder.js';
import { killProcessesUsing } from '../../support/cli-processes.js';
import { createTestDatabase, TestDatabase, TEST_REDIS_URL } from '../../support/database.js';
import { call, LoadLoop, Outcome, printDrill, sleep, waitFor } from '../../support/drill-load.js';
import type { ProxiedRequest } from '../../support/haproxy.js';
import { jobRunsIn, JobRunSummary, summarizeJobRuns } from '../../support/job-runs.js';
import { productionSecrets } from '../../support/production-secrets.js';
import {
  acknowledgedRecordIds,
  countBy,
  Credentials,
  inFlightAt,
  lostWrites,
  mixedLoad,
  probeRevocation,
  Receipt,
  repeatedIds,
  requestIdOf,
  RevocationProbe,
} from '../../support/replica-drill.js';

/** REPLICAS_DRILL_LONG=1: every replica is killed and started again in turn, under longer load. */
const LONG = process.env.REPLICAS_DRILL_LONG === '1';
const REPLICAS = 3;
/** The repeatable jobs, on intervals short enough to count several runs of each. */
const INTERVALS: Record<string, number> = {
  'sessions.sync-activity': 2_000,
  'sessions.cleanup': 3_000,
  'audit.checkpoint': 2_000,
  'compliance.event-partitions': 4_000,
  'audit.maintenance': 5_000,
};

/**
 * Three processes of the built app behind HAProxy, on one Postgres database, one Redis and one
 * queue prefix, under mixed load through the proxy. One replica is SIGKILLed and started again
 * (every one in turn when LONG). Counted: failed requests and which server had them, lost writes,
 * outbox deliveries per consumer (database and SIEM), repeatable-job runs per interval, and
 * whether a logout on one replica is refused on the others at once.
 */
describe(`drill: ${REPLICAS} app replicas behind HAProxy, one SIGKILLed under mixed load and restarted${LONG ? ' (long)' : ''}`, () => {
  let db: TestDatabase;
  let dataDir: string;
  let siem: HttpReceiver;
  let set: AppReplicaSet;
  let outcomes: Outcome[];
  let proxied: Map<string, ProxiedRequest>;
  const kills: ReplicaLife[] = [];
  const probes: RevocationProbe[] = [];
  const receipts: Receipt[] = [];
  let jobs: JobRunSummary[];

  const others = (i: number) => [...Array(REPLICAS).keys()].filter((k) => k !== i);

  beforeAll(
    async () => {
      db = await createTestDatabase();
      dataDir = mkdtempSync(join(tmpdir(), 'ck-replicas-drill-'));
      siem = await HttpReceiver.start();
      siem.answer = (batch) => {
        receipts.push({ at: Date.now(), ids: batch.events.map((event) => event.id as string) });
        return 204;
      };
      const secrets = productionSecrets();
      set = await AppReplicaSet.start(REPLICAS, {
        NODE_ENV: 'production',
        ...secrets,
        LOG_LEVEL: 'debug',
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        // More than the callers: as many concurrent logins as the pool size stall it (docs/scaling.md#capacity).
        DATABASE_POOL_MAX: '8',
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: db.name,
        THROTTLE_API_LIMIT: '1000000',
        THROTTLE_LOGIN_LIMIT: '1000000',
        OUTBOX_POLL_INTERVAL_MS: '1000',
        SIEM_HTTP_URL: siem.url,
        SESSION_SYNC_INTERVAL_MS: String(INTERVALS['sessions.sync-activity']),
        SESSION_CLEANUP_INTERVAL_MS: String(INTERVALS['sessions.cleanup']),
        AUDIT_CHECKPOINT_INTERVAL_MS: String(INTERVALS['audit.checkpoint']),
        COMPLIANCE_EVENTS_PARTITION_INTERVAL_MS: String(INTERVALS['compliance.event-partitions']),
        AUDIT_MAINTENANCE_INTERVAL_MS: String(INTERVALS['audit.maintenance']),
      });
      const base = set.haproxy.url;
      const admin = await logIn(base, { email: secrets.ADMIN_EMAIL, password: secrets.ADMIN_PASSWORD });
      // Apart, so that no user reaches SESSION_MAX_PER_USER and loses the session the load uses.
      const [worker, loginUser, probeUser] = await Promise.all([0, 1, 2].map(() => createAnalyst(base, admin)));
      const token = await logIn(base, worker);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const created = await call(base, 'POST', '/compliance/records', 'seed', { token, body: aRecord() });
        ids.push(JSON.parse(created.body!).id);
      }

      const load = new LoadLoop(mixedLoad(base, token, loginUser, ids), {
        workers: 6,
        maxRequests: 200_000,
        maxMs: LONG ? 240_000 : 90_000,
      }).start();
      for (const victim of LONG ? [1, 2, 0] : [1]) {
        const [a, b] = others(victim);
        await sleep(LONG ? 15_000 : 4_000);
        probes.push(...(await probeRevocation(set, a, [b, victim], probeUser)));
        kills.push(await set.kill(victim));
        // While HAProxy still sends the dead replica connections (refused, so redispatched).
        probes.push(...(await probeRevocation(set, a, [b], probeUser)));
        await set.haproxy.waitForState(set.name(victim), 'DOWN');
        await set.restart(victim);
        await set.haproxy.waitForState(set.name(victim), 'UP');
        probes.push(...(await probeRevocation(set, victim, [a, b], probeUser)));
      }
      await sleep(LONG ? 15_000 : 4_000);
      outcomes = await load.stop();

      await waitFor(async () => (await undelivered()) === 0, 30_000, 'every outbox delivery');
      await waitFor(async () => (await auditIds()).every((id) => siemIds().has(id)), 30_000, 'every SIEM event');
      // Let every job reach at least one more interval once the load is off.
      await sleep(Math.max(...Object.values(INTERVALS)));
      proxied = new Map(set.haproxy.requests().map((r) => [r.requestId, r]));
      const runs = set.lives.flatMap((life) => jobRunsIn(life.process.output(), set.label(life)));
      jobs = summarizeJobRuns(runs, INTERVALS);
    },
    LONG ? 420_000 : 180_000,
  );

  afterAll(async () => {
    await set?.stop();
    killProcessesUsing(dataDir);
    await siem?.stop();
    await db?.drop();
    await dropQueueKeys(db.name);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const undelivered = async () =>
    Number(
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM outbox_deliveries WHERE status <> 'delivered'`))[0].n,
    );
  const auditIds = async () =>
    (await db.query<{ id: string }>('SELECT id::text AS id FROM audit_events')).map((r) => r.id);
  const siemIds = () => new Set(receipts.flatMap((r) => r.ids));
  const periodicCheckpoints = async () =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_checkpoints WHERE kind = 'periodic'`))[0].n);

  const failed = (o: Outcome) => o.status === undefined || o.status >= 400 || !!o.cut;
  const serverOf = (o: Outcome) => proxied.get(requestIdOf(o.tag))?.server;
  /** In flight on a replica while it was killed, by HAProxy's log of where the request went. */
  const onKilled = (o: Outcome) => kills.some((life) => serverOf(o) === set.name(life.replica) && inFlightAt(life)(o));

  it('fails only the requests in flight on the killed replica', () => {
    const unexplained = outcomes.filter((o) => failed(o) && !onKilled(o));
    expect(outcomes.length).toBeGreaterThan(200);
    expect(unexplained.map((o) => ({ tag: o.tag, status: o.status, error: o.error, server: serverOf(o) }))).toEqual([]);
  });

  it('keeps every acknowledged write', async () => {
    expect(acknowledgedRecordIds(outcomes).length).toBeGreaterThan(50);
    expect(await lostWrites(db, outcomes)).toEqual([]);
  });

  it('delivers every outbox event once per consumer: none pending, one compliance event per record change', async () => {
    expect(await undelivered()).toBe(0);
    const wrong = await db.query(
      `SELECT e.event_id, count(c.source_event_id) AS rows
         FROM outbox_event_entries e LEFT JOIN compliance_events c ON c.source_event_id = e.event_id
        WHERE e.type IN ('record.created', 'record.updated') AND (e.payload ->> 'assessmentChanged')::boolean
        GROUP BY e.event_id HAVING count(c.source_event_id) <> 1`,
    );
    expect(wrong).toEqual([]);
  });

  it('ships every audit event to the SIEM; a repeat only of a batch in flight on the killed replica', async () => {
    const ids = await auditIds();
    const missing = ids.filter((id) => !siemIds().has(id));
    expect(missing).toEqual([]);
    // A batch the receiver took just before its replica died, uncommitted there, goes again from another.
    const inFlight = (firstAt: number) =>
      kills.some((life) => firstAt >= life.killedAt! - 5_000 && firstAt <= life.diedAt!);
    expect(repeatedIds(receipts).filter((repeat) => !inFlight(repeat.firstAt))).toEqual([]);
  });

  it('runs each repeatable job once per interval across the replicas, not once per replica', () => {
    for (const job of jobs) {
      expect({ job: job.job, ran: job.runs > 1, runTwice: job.runTwice }).toEqual({
        job: job.job,
        ran: true,
        runTwice: 0,
      });
    }
  });

  it('misses an interval only while a killed replica held the schedule, until its restart schedules it again', () => {
    // Killed between taking a run and adding the next one, a replica leaves the schedule without a
    // next run: a boot registers it again, else Bull recovers the stalled run (30–60 s).
    const resumedBy = (life: ReplicaLife) =>
      Math.min(
        set.lives.find((l) => l.replica === life.replica && l.startedAt > life.killedAt!)!.startedAt,
        life.killedAt! + 70_000,
      );
    const explained = (slot: number, everyMs: number) =>
      kills.some((life) => slot >= life.killedAt! - everyMs && slot <= resumedBy(life) + everyMs);
    for (const job of jobs) {
      expect({ job: job.job, missed: job.missedSlots.filter((slot) => !explained(slot, job.everyMs)) }).toEqual({
        job: job.job,
        missed: [],
      });
    }
  });

  it('writes one periodic audit checkpoint per checkpoint run, plus one per boot (a durable count of the runs)', async () => {
    const rows = await periodicCheckpoints();
    const checkpoint = jobs.find((job) => job.job === 'audit.checkpoint')!;
    const finished = checkpoint.runs - checkpoint.unfinished;
    expect(rows).toBeGreaterThanOrEqual(finished + set.lives.length);
    expect(rows).toBeLessThanOrEqual(checkpoint.runs + set.lives.length);
  });

  it('refuses a session revoked on one replica on the others at once', () => {
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.filter((p) => p.before !== 200 || p.after !== 401)).toEqual([]);
  });

  it('prints the counts', async () => {
    const failures = outcomes.filter(failed);
    printDrill({
      drill: LONG ? 'app-replicas-long' : 'app-replicas',
      sent: outcomes.length,
      failed: failures.length,
      failedInFlightOnKilled: failures.filter(onKilled).length,
      failedStatuses: countBy(failures.map((o) => String(o.status ?? o.error))),
      lost: (await lostWrites(db, outcomes)).length,
      acknowledgedRecords: acknowledgedRecordIds(outcomes).length,
      redispatched: [...proxied.values()].filter((r) => r.retries.startsWith('+')).length,
      servedBy: countBy(outcomes.map((o) => serverOf(o) ?? 'unlogged')),
      kills: kills.map((life) => ({ replica: set.name(life.replica), killMs: life.diedAt! - life.killedAt! })),
      outboxUndelivered: await undelivered(),
      outboxDeliveries: await db.query(
        `SELECT consumer, count(*)::int AS rows, max(attempts) AS "maxAttempts"
           FROM outbox_deliveries GROUP BY consumer ORDER BY consumer`,
      ),
      siemEvents: siemIds().size,
      siemRepeats: repeatedIds(receipts).length,
      jobs: jobs.map(({ missedSlots, ...job }) => ({ ...job, missed: missedSlots.length })),
      periodicCheckpoints: await periodicCheckpoints(),
      boots: set.lives.length,
      revocationProbes: probes.length,
      revocationRefused: probes.filter((p) => p.after === 401).length,
      revocationSlowestMs: Math.max(...probes.map((p) => p.afterMs)),
    });
  });
});

async function logIn(base: string, user: Credentials): Promise<string> {
  const res = await call(base, 'POST', '/auth/login', 'setup', { body: user });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.body}`);
  return JSON.parse(res.body!).token;
}

async function createAnalyst(base: string, adminToken: string): Promise<Credentials> {
  const user = aUser({ role: 'analyst' });
  const res = await call(base, 'POST', '/users', 'setup', { token: adminToken, body: user });
  if (res.status !== 201) throw new Error(`user creation failed: ${res.status} ${res.body}`);
  return { email: user.email, password: user.password };
}
