import { AuthenticatedAgent, startTestAppOn, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { onDatabase, startStreamingPair, StreamingPair } from '../../support/postgres-replication';
import { waitFor } from '../../support/wait-for';

const MAX_LAG_MS = 2_000;
const WAIT_MS = 300;

interface ReplicaReport {
  replica: string;
  state: string;
  lagMs: number | null;
}

/**
 * A private primary with one streaming standby as DATABASE_REPLICA_URLS. Replay is paused on the
 * standby (WAL keeps arriving) to make it fall behind at will; a row changed on the primary behind
 * the app's back tells which server answered.
 */
describe('read replicas (a private primary and streaming standby)', () => {
  let pair: StreamingPair;
  let db: TestDatabase;
  let t: TestApp;
  let other: TestApp;
  let writer: AuthenticatedAgent;
  let reader: AuthenticatedAgent;
  let replicaName: string;
  let recordId: string;

  beforeAll(async () => {
    pair = await startStreamingPair();
    db = await createTestDatabase(pair.primary.url);
    replicaName = `127.0.0.1:${pair.standby.port}`;
    const environment = {
      DATABASE_URL: db.url,
      DATABASE_REPLICA_URLS: onDatabase(pair.standby.url, db.name),
      DATABASE_REPLICA_MAX_LAG_MS: String(MAX_LAG_MS),
      DATABASE_REPLICA_WAIT_MS: String(WAIT_MS),
      DATABASE_REPLICA_CHECK_INTERVAL_MS: '100',
    };
    t = await startTestAppOn(db, environment);
    // Another instance of the app: same database, replicas and Redis, nothing else shared.
    other = await startTestAppOn(db, environment);
    writer = await t.as('analyst');
    reader = await t.as('auditor');
    const created = await writer
      .post('/compliance/records')
      .send(aRecord({ score: 90 }))
      .expect(201);
    recordId = created.body.id;
    await pair.standby.catchUp();
    await waitFor(async () => (await replicaState()) === 'up', 10_000);
  }, 120_000);
  afterAll(async () => {
    await other?.close();
    await t?.close();
    await db?.drop().catch(() => undefined);
    await pair?.destroy();
  });

  const replicas = async (): Promise<ReplicaReport[]> =>
    (await t.http().get('/health/ready').expect(200)).body.details.postgres.readReplicas;
  const replicaState = async () => (await replicas())[0]?.state;
  const scoreListedTo = async (agent: AuthenticatedAgent) => {
    const res = await agent.get('/compliance/records').expect(200);
    return res.body.items.find((item: { id: string }) => item.id === recordId)?.score;
  };
  const routedReads = async (target: string) => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    const line = text.split('\n').find((l) => l.startsWith(`db_routed_reads_total{target="${target}"}`));
    return line ? Number(line.split(' ')[1]) : 0;
  };
  /** Changes the row on the primary only: the app is not told, the paused standby does not see it. */
  const changeBehindTheAppsBack = (score: number) =>
    db.query('UPDATE compliance_records SET score = $2 WHERE id = $1', [recordId, score]);

  it('reports each replica with its state and lag in readiness', async () => {
    expect(await replicas()).toEqual([{ replica: replicaName, state: 'up', lagMs: expect.any(Number) }]);
  });

  it('publishes lag and state per replica, labelled host:port and never with credentials', async () => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    expect(text).toMatch(new RegExp(`db_replica_lag_seconds\\{replica="${replicaName}"\\} [0-9.]+`));
    expect(text).toMatch(new RegExp(`db_replica_up\\{replica="${replicaName}"\\} 1`));
    expect(text).not.toMatch(/replica="[^"]*@/);
  });

  it('serves record lists from the replica to a caller that wrote nothing', async () => {
    await pair.standby.pauseReplay();
    try {
      await changeBehindTheAppsBack(11);
      const before = await routedReads(replicaName);
      expect(await scoreListedTo(reader)).toBe(90);
      expect(await routedReads(replicaName)).toBe(before + 1);
    } finally {
      await pair.standby.resumeReplay();
    }
    await pair.standby.catchUp();
    expect(await scoreListedTo(reader)).toBe(11);
  });

  it('shows a caller its own write at once, though the replica has not replayed it', async () => {
    await pair.standby.pauseReplay();
    try {
      await writer.patch(`/compliance/records/${recordId}`).send({ score: 42, version: 1 }).expect(200);
      const started = Date.now();
      expect(await scoreListedTo(writer)).toBe(42);
      // It waited for the replica, bounded, then read from the primary.
      expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_MS - 50);
      // Another caller still reads the replica's older state.
      expect(await scoreListedTo(reader)).toBe(11);
    } finally {
      await pair.standby.resumeReplay();
    }
  });

  it('shows the write on another instance of the app too: the mark is shared through Redis', async () => {
    await pair.standby.pauseReplay();
    try {
      await writer.patch(`/compliance/records/${recordId}`).send({ score: 43, version: 2 }).expect(200);
      const res = await other.http().get('/compliance/records').set('Authorization', `Bearer ${writer.token}`);
      expect(res.body.items.find((item: { id: string }) => item.id === recordId)?.score).toBe(43);
    } finally {
      await pair.standby.resumeReplay();
    }
  });

  it("reads from the replica again once it has replayed the caller's write", async () => {
    await pair.standby.catchUp();
    const before = await routedReads(replicaName);
    expect(await scoreListedTo(writer)).toBe(43);
    expect(await routedReads(replicaName)).toBe(before + 1);
  });

  it('skips a replica that lags past DATABASE_REPLICA_MAX_LAG_MS, and uses it again once caught up', async () => {
    await pair.standby.pauseReplay();
    try {
      await changeBehindTheAppsBack(7);
      await waitFor(async () => (await replicaState()) === 'lagging', MAX_LAG_MS + 5_000);
      expect((await replicas())[0].lagMs).toBeGreaterThan(MAX_LAG_MS);
      const before = await routedReads('primary');
      expect(await scoreListedTo(reader)).toBe(7);
      expect(await routedReads('primary')).toBe(before + 1);
    } finally {
      await pair.standby.resumeReplay();
    }
    await waitFor(async () => (await replicaState()) === 'up', 5_000);
  });

  it('skips a replica that is down; readiness stays 200 and says so', async () => {
    await pair.standby.stop('immediate');
    try {
      await waitFor(async () => (await replicaState()) === 'down', 10_000);
      await changeBehindTheAppsBack(3);
      expect(await scoreListedTo(reader)).toBe(3);
      const text = (await t.http().get('/metrics').expect(200)).text;
      expect(text).toMatch(new RegExp(`db_replica_up\\{replica="${replicaName}"\\} 0`));
    } finally {
      await pair.standby.start();
    }
    await waitFor(async () => (await replicaState()) === 'up', 15_000);
  });

  it.each([
    '/audit/events',
    '/audit/events/export?format=ndjson',
    '/search?q=anything',
    '/compliance/analytics/summary',
  ])('routes %s through the replica too', async (path) => {
    await pair.standby.catchUp();
    const before = await routedReads(replicaName);
    await reader.get(path).expect(200);
    expect(await routedReads(replicaName)).toBeGreaterThan(before);
  });
});
