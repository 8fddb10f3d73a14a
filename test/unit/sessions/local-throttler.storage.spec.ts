import { LocalThrottlerStorage } from '../../../src/modules/sessions/local-throttler.storage';

describe('LocalThrottlerStorage', () => {
  let now: number;
  let storage: LocalThrottlerStorage;
  beforeEach(() => {
    now = 1_000_000;
    storage = new LocalThrottlerStorage(() => now);
  });

  it('counts hits per key and throttler within one fixed window', async () => {
    await storage.increment('ip-1', 60_000, 5, 30_000, 'api');
    now += 10_000;
    expect(await storage.increment('ip-1', 60_000, 5, 30_000, 'api')).toEqual({
      totalHits: 2,
      timeToExpire: 50,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(await storage.increment('ip-1', 60_000, 5, 30_000, 'login')).toMatchObject({ totalHits: 1 });
    expect(await storage.increment('ip-2', 60_000, 5, 30_000, 'api')).toMatchObject({ totalHits: 1 });
  });

  it('blocks once over the limit for the block duration, then counts a fresh window', async () => {
    for (let i = 0; i < 2; i++) await storage.increment('ip', 60_000, 2, 90_000, 'api');
    expect(await storage.increment('ip', 60_000, 2, 90_000, 'api')).toMatchObject({
      totalHits: 3,
      isBlocked: true,
      timeToBlockExpire: 90,
    });
    now += 60_000;
    expect(await storage.increment('ip', 60_000, 2, 90_000, 'api')).toMatchObject({
      totalHits: 1,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    now += 30_000;
    expect(await storage.increment('ip', 60_000, 2, 90_000, 'api')).toMatchObject({
      totalHits: 2,
      isBlocked: false,
    });
  });

  it('forgets a client whose window ended once the next sweep runs', async () => {
    for (let i = 0; i < 3; i++) await storage.increment('idle', 1_000, 10, 1_000, 'api');
    now += 11_000;
    await storage.increment('other', 1_000, 10, 1_000, 'api');
    expect(await storage.increment('idle', 1_000, 10, 1_000, 'api')).toMatchObject({ totalHits: 1 });
  });
});
