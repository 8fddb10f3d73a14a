import { startTestApp, TestApp } from '../../support/app';
import { call, LoadLoop, Outcome, printDrill, sleep, waitFor } from '../../support/drill-load';
import { queryOn, startStreamingPair, StreamingPair } from '../../support/postgres-replication';
import { TransactionFixtureModule } from '../../support/transaction.fixture';

const CONNECTION_TIMEOUT_MS = 5_000;
/** How long the primary stays dead before the standby is promoted: an orchestrator's detection time. */
const DETECTION_MS = 1_000;

/**
 * A primary killed under load and its synchronous standby promoted with `pg_ctl promote`; the app,
 * given both as a host list, finds the new primary on its own.
 */
describe('drill: PostgreSQL failover to a promoted standby (a private primary and standby)', () => {
  let pair: StreamingPair;
  let t: TestApp;
  let outcomes: Outcome[];
  let killedAt: number;
  let deadAt: number;
  let promotedAt: number;
  let recoveredAt: number;

  beforeAll(async () => {
    pair = await startStreamingPair();
    await pair.makeSynchronous();
    await queryOn(pair.primary.url, 'CREATE TABLE tx_probe (label text NOT NULL)');
    t = await startTestApp(
      {
        DATABASE_URL: pair.hostList('postgres'),
        DATABASE_CONNECTION_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
        DATABASE_STATEMENT_TIMEOUT_MS: '2000',
        HEALTH_CHECK_TIMEOUT_MS: '1000',
      },
      [TransactionFixtureModule],
    );
    await t.app.listen(0, '127.0.0.1');
    const base = await t.app.getUrl();
    const load = new LoadLoop(
      (n) => (n % 2 ? call(base, 'POST', `/test-tx/w${n}`, `w${n}`) : call(base, 'GET', '/health/ready', 'ready')),
      { workers: 4, maxRequests: 20_000, maxMs: 40_000 },
    ).start();
    await sleep(1_500);
    killedAt = Date.now();
    await pair.primary.stop('immediate');
    deadAt = Date.now();
    await sleep(DETECTION_MS);
    await pair.standby.promote();
    promotedAt = Date.now();
    await waitFor(
      async () => (await call(base, 'POST', '/test-tx/probe', 'probe')).status === 201,
      15_000,
      'a write on the new primary',
    );
    recoveredAt = Date.now();
    await sleep(1_500);
    outcomes = await load.stop();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await pair?.destroy();
  });

  const failed = () => outcomes.filter((o) => o.status !== 200 && o.status !== 201);
  // pg_ctl returns once the postmaster is gone: a request that began before then met a live primary.
  const inFlightAtKill = (o: Outcome) => o.startedAt <= deadAt && o.startedAt + o.ms >= killedAt;

  it('keeps every acknowledged write: the promoted standby has them all', async () => {
    const acknowledged = outcomes.filter((o) => o.tag.startsWith('w') && o.status === 201).map((o) => o.tag);
    const rows = await queryOn<{ label: string }>(pair.standby.url, 'SELECT label FROM tx_probe');
    const stored = new Set(rows.map((row) => row.label));
    const lost = acknowledged.filter((label) => !stored.has(label));
    printDrill({
      drill: 'postgres-failover',
      sent: outcomes.length,
      failed: failed().length,
      failedInFlightAtKill: failed().filter(inFlightAtKill).length,
      failedWrites: failed().filter((o) => o.tag.startsWith('w')).length,
      lost: lost.length,
      acknowledgedWrites: acknowledged.length,
      stopMs: deadAt - killedAt,
      primaryDeadMs: promotedAt - deadAt,
      firstWriteMsAfterPromote: recoveredAt - promotedAt,
      slowestMs: Math.max(...outcomes.map((o) => o.ms)),
    });
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(lost).toEqual([]);
  });

  it('fails only the writes in flight when the primary died; later ones wait for the promotion', () => {
    const writes = outcomes.filter((o) => o.tag.startsWith('w'));
    expect(writes.filter((o) => o.status !== 201 && !inFlightAtKill(o))).toEqual([]);
    expect(writes.filter((o) => o.startedAt > deadAt && o.startedAt < promotedAt).length).toBeGreaterThan(0);
  });

  it('reports not ready only while no primary answers within the health-check timeout', () => {
    const notReady = outcomes.filter((o) => o.tag === 'ready' && o.status !== 200);
    expect(notReady.filter((o) => o.startedAt + o.ms < killedAt || o.startedAt > recoveredAt)).toEqual([]);
  });

  it('answers those with 503 problem+json, never 500', () => {
    expect(failed().filter((o) => o.status !== 503 || !o.contentType?.startsWith('application/problem+json'))).toEqual(
      [],
    );
    expect(outcomes.filter((o) => o.cut || o.error)).toEqual([]);
  });

  it('writes to the new primary without a restart', async () => {
    const after = outcomes.filter((o) => o.startedAt > recoveredAt);
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((o) => o.status !== 200 && o.status !== 201)).toEqual([]);
    const [{ standby }] = await queryOn<{ standby: boolean }>(
      pair.standby.url,
      'SELECT pg_is_in_recovery() AS standby',
    );
    expect(standby).toBe(false);
  });
});
