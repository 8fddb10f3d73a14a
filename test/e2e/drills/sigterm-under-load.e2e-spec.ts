import { createTestDatabase, TestDatabase, TEST_REDIS_URL } from '../../support/database.js';
import { call, LoadLoop, Outcome, printDrill, sleep } from '../../support/drill-load.js';
import { AppProcess, startAppProcess } from '../../support/process.js';
import { productionSecrets } from '../../support/production-secrets';

const READINESS_DELAY_MS = 1_500;
/** When the answer arrived: a request that waited in a busy server's queue can start well before. */
const finishedAt = (outcome: Outcome) => outcome.startedAt + outcome.ms;

describe('drill: SIGTERM under load (built app process)', () => {
  let db: TestDatabase;
  let app: AppProcess;
  let outcomes: Outcome[];
  let exitCode: number | null;
  let signalledAt: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startAppProcess({
      NODE_ENV: 'production',
      ...productionSecrets(),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      SHUTDOWN_READINESS_DELAY_MS: String(READINESS_DELAY_MS),
      SHUTDOWN_GRACE_MS: '5000',
    });
    const paths = ['/health/ready', '/health/live', '/health', '/docs-json'];
    const load = new LoadLoop((n) => call(app.baseUrl, 'GET', paths[n % paths.length], paths[n % paths.length]), {
      workers: 6,
      maxRequests: 50_000,
      maxMs: 30_000,
    }).start();
    await sleep(1_000);
    signalledAt = Date.now();
    exitCode = await app.stop('SIGTERM');
    await sleep(200);
    outcomes = await load.stop();
  }, 60_000);
  afterAll(() => db.drop());

  it('exits cleanly after the drain', () => {
    expect(exitCode).toBe(0);
  });

  it('cuts no response mid-way', () => {
    const cut = outcomes.filter((outcome) => outcome.cut);
    const draining = (o: Outcome) => o.tag === '/health/ready' && o.status === 503;
    // Once the server closes, requests already accepted get a complete 503 problem document. It
    // closes a full delay after the signal, so an answer that came earlier cannot be one of these.
    const closing = (o: Outcome) =>
      o.status === 503 &&
      !!o.contentType?.startsWith('application/problem+json') &&
      finishedAt(o) >= signalledAt + READINESS_DELAY_MS;
    // Refused connections come after the listener closed, when the load balancer has moved on.
    const failed = outcomes.filter((o) => o.cut || (!o.error && o.status !== 200 && !draining(o) && !closing(o)));
    printDrill({
      drill: 'sigterm-under-load',
      sent: outcomes.length,
      failed: failed.length,
      lost: 'n/a',
      cut: cut.length,
      refusedAfterClose: outcomes.filter((outcome) => outcome.error).length,
      drainingReadiness503: outcomes.filter(draining).length,
      closing503: outcomes.filter((o) => closing(o) && !draining(o)).length,
    });
    expect(outcomes.filter((outcome) => outcome.startedAt < signalledAt).length).toBeGreaterThan(20);
    expect(cut).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('answers every 503 with a problem document', () => {
    const plain = outcomes.filter((o) => o.status === 503 && !o.contentType?.startsWith('application/problem+json'));
    expect(plain).toEqual([]);
  });

  it('turns readiness 503 before it stops accepting connections', () => {
    const draining = outcomes.filter((o) => o.tag === '/health/ready' && o.status === 503);
    expect(draining.length).toBeGreaterThan(0);
    expect(draining.every((o) => o.body?.includes('/problems/draining'))).toBe(true);
    const firstDraining = Math.min(...draining.map((o) => o.startedAt));
    const refused = outcomes.filter((o) => o.error);
    const firstRefused = refused.length ? Math.min(...refused.map((o) => o.startedAt)) : Infinity;
    expect(firstDraining).toBeLessThan(firstRefused);
    expect(firstDraining - signalledAt).toBeLessThan(READINESS_DELAY_MS);
  });

  it('keeps serving everything else normally during the readiness delay', () => {
    const duringDelay = outcomes.filter(
      (o) =>
        o.startedAt >= signalledAt && finishedAt(o) < signalledAt + READINESS_DELAY_MS && o.tag !== '/health/ready',
    );
    expect(duringDelay.length).toBeGreaterThan(0);
    expect(duringDelay.filter((o) => o.status !== 200)).toEqual([]);
  });
});
