import { startTestApp, TestApp } from '../support/app';
import { ThrottleFixtureModule } from '../support/throttle.fixture';

describe('route-level rate limits (resolved once per route)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ THROTTLE_API_LIMIT: '5' }, [ThrottleFixtureModule], undefined, {
      openApiExemption: 'fixture routes are not in the published document',
    });
  });

  afterAll(() => t.close());

  it("keeps a route's own lower limit, request after request", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await t.http().get('/test-throttle/strict').expect(200);
      expect(res.headers['x-ratelimit-limit-api']).toBe('2');
    }
    const refused = await t.http().get('/test-throttle/strict').expect(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    // The standard header, in seconds, beside the library's per-limit one.
    expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(refused.headers['retry-after']).toBe(refused.headers['retry-after-api']);
  });

  it('resolves a limit given as a function on every request', async () => {
    for (let i = 0; i < 3; i++) await t.http().get('/test-throttle/by-request').expect(200);
    await t.http().get('/test-throttle/by-request').expect(429);
  });

  it('skips a route marked @SkipThrottle, beyond the module limit', async () => {
    for (let i = 0; i < 7; i++) {
      const res = await t.http().get('/test-throttle/unlimited').expect(200);
      expect(res.headers['x-ratelimit-limit-api']).toBeUndefined();
    }
  });

  it('still counts other routes under the module limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.http().get('/auth/session')).status);
    expect(statuses.slice(0, 5).every((status) => status === 401)).toBe(true);
    expect(statuses[5]).toBe(429);
  });
});
