import { call, inTurn, LoadLoop, Outcome, printDrill, sleep, waitFor } from '../../support/drill-load.js';
import { freePort, SpareRedis } from '../../support/spare-services.js';
import { startTestApp, TestApp } from '../../support/app.js';
import { aRecord } from '../../support/builders/compliance-record.builder.js';

const DOWN_MS = 10_000;

type CacheCounts = Record<'hit' | 'miss' | 'error', number>;

/**
 * Authenticated traffic (session validations, record writes, cached record reads) plus readiness
 * probes, while the only Redis (sessions, cache, queue, rate limits) is SIGKILLed for 10 s.
 */
describe('drill: Redis killed for 10 s under authenticated load (a Redis on a spare port)', () => {
  let redis: SpareRedis;
  let t: TestApp;
  let base: string;
  let outcomes: Outcome[];
  let downFrom: number;
  let upAt: number;
  const seen: Record<string, unknown> = {};
  const cache: Record<'beforeKill' | 'midOutage' | 'endOutage' | 'after', CacheCounts> = {} as never;

  const ready = async () => JSON.parse((await call(base, 'GET', '/health/ready', 'probe')).body ?? '{}');
  const health = async () => JSON.parse((await call(base, 'GET', '/health', 'probe')).body ?? '{}');
  const cacheCounts = async (): Promise<CacheCounts> => {
    const text = (await call(base, 'GET', '/metrics', 'probe')).body ?? '';
    const count = (result: string) =>
      Number(new RegExp(`compliance_record_cache_requests_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { hit: count('hit'), miss: count('miss'), error: count('error') };
  };

  beforeAll(async () => {
    redis = new SpareRedis(await freePort());
    await redis.start();
    t = await startTestApp({
      REDIS_URL: redis.url,
      HEALTH_CHECK_TIMEOUT_MS: '300',
      SESSION_REDIS_TIMEOUT_MS: '100',
      SESSION_CIRCUIT_COOLDOWN_MS: '1000',
    });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    const { token } = await t.as('analyst');
    const targets: string[] = [];
    for (let i = 0; i < 5; i++) {
      targets.push((await call(base, 'POST', '/compliance/records', 'seed', { token, body: aRecord() })).body ?? '');
    }
    const ids = targets.map((body) => (JSON.parse(body) as { id: string }).id);
    const requests = [
      () => call(base, 'GET', '/auth/session', 'session', { token }),
      (n: number) => call(base, 'POST', '/compliance/records', `w${n}`, { token, body: aRecord() }),
      (n: number) => call(base, 'GET', `/compliance/records/${ids[n % ids.length]}`, 'read', { token }),
      () => call(base, 'GET', '/health/ready', 'ready'),
    ];
    const load = new LoadLoop(inTurn(requests)).start();
    // The first read of each record misses; on a loaded machine a second round can take more than a second.
    await sleep(1_000);
    await waitFor(async () => (await cacheCounts()).hit > 0, 10_000, 'cache hits before the kill').catch(
      () => undefined,
    );
    cache.beforeKill = await cacheCounts();
    await redis.stop();
    downFrom = Date.now();
    await sleep(DOWN_MS / 2);
    cache.midOutage = await cacheCounts();
    seen.redisDuringOutage = (await ready()).details?.redis?.state;
    seen.sessionsDuringOutage = (await health()).details?.sessions?.mode;
    await sleep(DOWN_MS / 2);
    cache.endOutage = await cacheCounts();
    await redis.start();
    upAt = Date.now();
    await waitFor(async () => (await ready()).details?.redis?.state === 'up', 15_000, 'Redis reconnect');
    await waitFor(async () => (await health()).details?.sessions?.mode === 'redis', 15_000, 'sessions back on Redis');
    // Reads hit again once a miss has refilled the cache; on a loaded machine that can take more than a moment.
    await waitFor(async () => (await cacheCounts()).hit > cache.endOutage.hit, 10_000, 'cache hits again').catch(
      () => undefined,
    );
    cache.after = await cacheCounts();
    outcomes = await load.stop();
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const during = (tag: (o: Outcome) => boolean) =>
    outcomes.filter((o) => tag(o) && o.startedAt > downFrom + 500 && o.startedAt + o.ms < upAt);

  it('stays ready throughout, reporting Redis down and sessions on Postgres while it is gone', () => {
    expect(seen).toEqual({ redisDuringOutage: 'down', sessionsDuringOutage: 'postgres-fallback' });
    const readiness = outcomes.filter((o) => o.tag === 'ready');
    expect(readiness.filter((o) => o.status !== 200)).toEqual([]);
    expect(during((o) => o.tag === 'ready').length).toBeGreaterThan(5);
  });

  it('keeps authenticating every request from Postgres while Redis is down', () => {
    expect(during((o) => o.tag === 'session').length).toBeGreaterThan(5);
    expect(outcomes.filter((o) => o.tag === 'session' && o.status !== 200)).toEqual([]);
  });

  it('serves every read from Postgres while the cache is gone, and from the cache again after', () => {
    expect(during((o) => o.tag === 'read').length).toBeGreaterThan(5);
    expect(outcomes.filter((o) => o.tag === 'read' && o.status !== 200)).toEqual([]);
    expect(cache.beforeKill.hit).toBeGreaterThan(0);
    expect(cache.endOutage.hit).toBe(cache.midOutage.hit);
    const cacheMisses = (c: CacheCounts) => c.miss + c.error;
    expect(cacheMisses(cache.endOutage)).toBeGreaterThan(cacheMisses(cache.midOutage));
    expect(cache.after.hit).toBeGreaterThan(cache.endOutage.hit);
  });

  it('keeps every write succeeding and loses none', async () => {
    const writes = outcomes.filter((o) => o.tag.startsWith('w'));
    const acknowledged = writes
      .filter((o) => o.status === 201)
      .map((o) => (JSON.parse(o.body ?? '{}') as { id: string }).id);
    const stored = new Set(
      (await t.db.query<{ id: string }>('SELECT id FROM compliance_records WHERE id = ANY($1)', [acknowledged])).map(
        (r) => r.id,
      ),
    );
    const lost = acknowledged.filter((id) => !stored.has(id));
    printDrill({
      drill: 'redis-outage',
      sent: outcomes.length,
      failed: outcomes.filter((o) => o.status !== 200 && o.status !== 201).length,
      lost: lost.length,
      downMs: upAt - downFrom,
      writesDuringOutage: writes.filter((o) => o.startedAt > downFrom && o.startedAt < upAt).length,
      authenticatedDuringOutage: during((o) => o.tag !== 'ready').length,
    });
    expect(writes.filter((o) => o.status !== 201)).toEqual([]);
    expect(lost).toEqual([]);
  });
});
