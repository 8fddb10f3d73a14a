import { call, LoadLoop, Outcome, printDrill, sleep, waitFor } from '../../support/drill-load.js';
import { freePort, SpareRedis } from '../../support/spare-services.js';
import { TransactionFixtureModule } from '../../support/transaction.fixture.js';
import { startTestApp, TestApp } from '../../support/app.js';

const DOWN_MS = 10_000;

/**
 * With today's app Redis only backs the job queue and readiness reporting; the session and cache
 * fallbacks join this drill when those modules land.
 */
describe('drill: Redis killed for 10 s under load (a Redis on a spare port)', () => {
  let redis: SpareRedis;
  let t: TestApp;
  let base: string;
  let outcomes: Outcome[];
  let downFrom: number;
  let upAt: number;
  let redisDownSeen: boolean;

  const redisState = async () => JSON.parse((await call(base, 'GET', '/health/ready', 'probe')).body ?? '{}');

  beforeAll(async () => {
    redis = new SpareRedis(await freePort());
    await redis.start();
    t = await startTestApp({ REDIS_URL: redis.url, HEALTH_CHECK_TIMEOUT_MS: '300' }, [TransactionFixtureModule]);
    await t.db.query('CREATE TABLE tx_probe (label text NOT NULL)');
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    const load = new LoadLoop(
      (n) => (n % 2 ? call(base, 'POST', `/test-tx/w${n}`, `w${n}`) : call(base, 'GET', '/health/ready', 'ready')),
      { workers: 4, maxRequests: 20_000, maxMs: 60_000 },
    ).start();
    await sleep(1_000);
    await redis.stop();
    downFrom = Date.now();
    await sleep(DOWN_MS / 2);
    redisDownSeen = (await redisState()).details?.redis?.state === 'down';
    await sleep(DOWN_MS / 2);
    await redis.start();
    upAt = Date.now();
    await waitFor(async () => (await redisState()).details?.redis?.state === 'up', 15_000, 'Redis reconnect');
    await sleep(500);
    outcomes = await load.stop();
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('stays ready throughout, reporting Redis down while it is gone', () => {
    expect(redisDownSeen).toBe(true);
    const readiness = outcomes.filter((o) => o.tag === 'ready');
    expect(readiness.filter((o) => o.status !== 200)).toEqual([]);
    const during = readiness.filter((o) => o.startedAt > downFrom + 500 && o.startedAt + o.ms < upAt);
    expect(during.length).toBeGreaterThan(5);
    expect(during.every((o) => JSON.parse(o.body ?? '{}').details.redis.state === 'down')).toBe(true);
  });

  it('keeps every write succeeding and loses none', async () => {
    const writes = outcomes.filter((o) => o.tag.startsWith('w'));
    const stored = new Set((await t.db.query<{ label: string }>('SELECT label FROM tx_probe')).map((r) => r.label));
    const lost = writes.filter((o) => o.status === 201 && !stored.has(o.tag));
    printDrill({
      drill: 'redis-outage',
      sent: outcomes.length,
      failed: outcomes.filter((o) => o.status !== 200 && o.status !== 201).length,
      lost: lost.length,
      downMs: upAt - downFrom,
      writesDuringOutage: writes.filter((o) => o.startedAt > downFrom && o.startedAt < upAt).length,
    });
    expect(writes.filter((o) => o.status !== 201)).toEqual([]);
    expect(lost).toEqual([]);
  });
});
