import { DrainSignal } from '../../src/modules/health/drain-signal.js';
import { startTestApp, TestApp } from '../support/app.js';

describe('requests that reach a closing server', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('serves every route but readiness while draining has only begun', async () => {
    t.app.get(DrainSignal).begin();
    await t.http().get('/health/live').expect(200);
    await t.http().get('/health/ready').expect(503);
  });

  it('answers any route with 503 problem+json and closes the connection once the server stops accepting', async () => {
    t.app.get(DrainSignal).stopAccepting();
    const res = await t.http().get('/health/live?token=secret');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers.connection).toBe('close');
    expect(res.body).toMatchObject({ type: '/problems/draining', status: 503, instance: '/health/live' });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });
});
