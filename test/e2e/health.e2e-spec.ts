import { EVENTS_LAYOUT, type EventsLayout } from '../../src/modules/compliance/analytics/layout/events-layout.js';
import { DrainSignal } from '../../src/modules/health/drain-signal.js';
import { adminQuery } from '../support/database.js';
import { startTestApp, TestApp } from '../support/app.js';

describe('health probes', () => {
  describe('with Postgres and Redis up', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp()));
    afterAll(() => t.close());

    it('reports liveness from the process alone', async () => {
      const res = await t.http().get('/health/live').expect(200);
      expect(Object.keys(res.body.details)).toEqual(['eventLoop']);
      expect(res.body).toMatchObject({ status: 'ok', info: { eventLoop: { status: 'up' } }, error: {} });
      expect(res.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
    });

    it('is ready with Postgres and Redis up and Elasticsearch disabled', async () => {
      const res = await t.http().get('/health/ready').expect(200);
      expect(res.body.details.postgres).toMatchObject({ status: 'up', state: 'up', liveReplicas: 1 });
      expect(res.body.details.redis).toMatchObject({ state: 'up' });
      expect(res.body.details.elasticsearch).toMatchObject({ state: 'disabled' });
    });

    it('touches this replica heartbeat row on readiness', async () => {
      const [before] = await t.db.query<{ last_seen_at: Date }>('SELECT last_seen_at FROM service_instances');
      await t.http().get('/health/ready').expect(200);
      const [after] = await t.db.query<{ last_seen_at: Date }>('SELECT last_seen_at FROM service_instances');
      expect(after.last_seen_at.getTime()).toBeGreaterThan(before.last_seen_at.getTime());
    });

    it('gives full detail on /health', async () => {
      const res = await t.http().get('/health').expect(200);
      expect(Object.keys(res.body.details).sort()).toEqual([
        'elasticsearch',
        'eventLoop',
        'outbox',
        'postgres',
        'redis',
        'sessions',
        'timescaledb',
      ]);
      // TimescaleDB's jobs are watched only on its layout (timescale-maintenance.contract.spec.ts).
      const native = t.app.get<EventsLayout>(EVENTS_LAYOUT).kind === 'native';
      expect(res.body.details.timescaledb).toMatchObject({ state: native ? 'disabled' : 'up' });
    });

    it('turns readiness to 503 once draining has begun, while liveness stays 200', async () => {
      t.app.get(DrainSignal).begin();
      const res = await t.http().get('/health/ready').expect(503);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.type).toBe('/problems/draining');
      await t.http().get('/health/live').expect(200);
    });
  });

  describe('with Redis unreachable', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' })));
    afterAll(() => t.close());

    it('stays ready and reports Redis down', async () => {
      const res = await t.http().get('/health/ready').expect(200);
      expect(res.body.details.redis).toMatchObject({ state: 'down' });
      expect(res.body.details.postgres).toMatchObject({ state: 'up' });
    });
  });

  describe('with Postgres unreachable', () => {
    let t: TestApp;
    beforeAll(
      async () => (t = await startTestApp({ HEALTH_CHECK_TIMEOUT_MS: '1000', DATABASE_CONNECTION_TIMEOUT_MS: '500' })),
    );
    afterAll(() => t.close());

    it('answers readiness with 503 problem+json naming postgres', async () => {
      await adminQuery(`ALTER DATABASE ${t.db.name} ALLOW_CONNECTIONS false`);
      await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [t.db.name]);
      const res = await t.http().get('/health/ready').expect(503);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.type).toBe('/problems/unhealthy');
      expect(res.body.checks.postgres.state).toBe('down');
      await t.http().get('/health/live').expect(200);
    });
  });
});
