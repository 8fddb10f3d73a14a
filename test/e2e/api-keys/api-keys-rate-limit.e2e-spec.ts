import { startTestApp, TestApp } from '../../support/app';
import { anApiKey, withChecksum } from '../../support/builders/api-key.builder';

const LIMIT = 5;

/** Counters in this process (no Redis), so other test files on the machine's Redis cannot touch them. */
describe('rate limits per API key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: undefined, THROTTLE_API_LIMIT: String(LIMIT) });
  });
  afterAll(() => t.close());

  it('counts each key on its own, and refused keys against the client address', async () => {
    const admin = await t.as('admin');
    const a = (await admin.post('/api-keys').send(anApiKey()).expect(201)).body.secret as string;
    const b = (await admin.post('/api-keys').send(anApiKey()).expect(201)).body.secret as string;
    const withKey = (secret: string) => t.http().get('/auth/session').set('X-API-Key', secret);
    await admin.get('/auth/session').expect(200);

    for (let i = 0; i < LIMIT; i++) await withKey(a).expect(200);
    const limited = await withKey(a).expect(429);
    expect(limited.body.type).toBe('/problems/rate-limited');
    await withKey(b).expect(200);

    const wrongB = withChecksum(`ck_live_${b.slice(8, 20)}_${'A'.repeat(43)}`);
    for (let i = 1; i < LIMIT; i++) await withKey(wrongB).expect(401);
    await withKey(wrongB).expect(429);
    await admin.get('/auth/session').expect(429);
    // The wrong secrets bore b's lookup id, yet b's own budget is untouched.
    for (let i = 1; i < LIMIT; i++) await withKey(b).expect(200);
    await withKey(b).expect(429);
  });
});
