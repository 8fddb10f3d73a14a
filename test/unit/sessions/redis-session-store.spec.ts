import { createSecretKey, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { SubjectKeys } from '../../../src/modules/encryption/subject-keys';
import type { RedisClient } from '../../../src/infrastructure/redis/redis-clients';
import { Counter, Gauge } from 'prom-client';
import type { RevokedSession, SessionRepository } from '../../../src/modules/sessions/session.repository';
import { CircuitBreaker } from '../../../src/common/circuit-breaker';
import { SessionSealer } from '../../../src/modules/sessions/session-sealer';
import { SessionReads } from '../../../src/modules/sessions/stores/session-reads';
import { RedisSessionStore } from '../../../src/modules/sessions/stores/redis-session.store';
import type { Session } from '../../../src/modules/sessions/session';
import { aCipher } from '../../support/builders/keyring.builder';
import { TEST_REDIS_URL } from '../../support/database';

/** Every user has one key, made on first use: the store only needs them to exist. */
const keys = new Map<string, KeyObject>();
const keyOf = async (subjectId: string) => {
  if (!keys.has(subjectId)) keys.set(subjectId, createSecretKey(randomBytes(32)));
  return { subjectId, key: keys.get(subjectId) as KeyObject };
};
const subjectKeys = { forWriting: keyOf, forReading: keyOf } as unknown as SubjectKeys;

/** The Redis calls the revocation sync makes, recorded; `reachable = false` makes them fail. */
class FakeRedis {
  reachable = true;
  readonly executed: string[][] = [];

  async ping(): Promise<string> {
    this.check();
    return 'PONG';
  }

  async get(): Promise<string | null> {
    this.check();
    return null;
  }

  // One command per key: the store never sends a multi-key command that a Cluster would refuse.
  async del(...keys: string[]): Promise<number> {
    return this.run(['del', ...keys]);
  }

  async hdel(key: string, ...fields: string[]): Promise<number> {
    return this.run(['hdel', key, ...fields]);
  }

  async srem(key: string, ...members: string[]): Promise<number> {
    return this.run(['srem', key, ...members]);
  }

  private async run(command: string[]): Promise<number> {
    this.check();
    this.executed.push(command);
    return 1;
  }

  private check(): void {
    if (!this.reachable) throw new Error('connect ECONNREFUSED');
  }
}

/** `session_store` reduced to the purge mark. */
class FakeSessions {
  pending: RevokedSession[] = [];
  revokedWith: { redisPurgePending?: boolean }[] = [];
  postgresDown = false;

  async revoke(ids: string[], _at: Date, options: { redisPurgePending?: boolean }): Promise<RevokedSession[]> {
    this.revokedWith.push(options);
    const revoked = ids.map((id) => ({ tokenHash: `hash-${id}`, userId: 'user-1' }));
    if (options.redisPurgePending) this.pending.push(...revoked);
    return revoked;
  }

  async pendingRedisPurges(limit: number): Promise<RevokedSession[]> {
    if (this.postgresDown) throw new Error('connection terminated');
    return this.pending.slice(0, limit);
  }

  async clearRedisPurgePending(tokenHashes: string[]): Promise<void> {
    this.pending = this.pending.filter((s) => !tokenHashes.includes(s.tokenHash));
  }

  async findByTokenHash(): Promise<undefined> {
    return undefined;
  }
}

describe('RedisSessionStore revocation sync', () => {
  let now: number;
  let redis: FakeRedis;
  let sessions: FakeSessions;
  let breaker: CircuitBreaker;
  let degraded: Gauge;
  let store: RedisSessionStore;
  let reads: SessionReads;
  const clock = { now: () => new Date(now) };

  beforeEach(() => {
    now = 0;
    redis = new FakeRedis();
    sessions = new FakeSessions();
    breaker = new CircuitBreaker(1_000, clock);
    degraded = new Gauge({ name: 'degraded', help: 'd', registers: [] });
    const repository = sessions as unknown as SessionRepository;
    reads = new SessionReads(repository, clock);
    const sealer = new SessionSealer(aCipher(), subjectKeys, {} as DataSource, { record: async () => undefined });
    store = new RedisSessionStore(redis as unknown as RedisClient, repository, reads, sealer, breaker, clock, {
      timeoutMs: 100,
      idleSeconds: 3_600,
      revocationSyncMs: 1_000,
      namespace: 'ck',
      fallbacks: new Counter({ name: 'fallbacks', help: 'f', labelNames: ['operation'], registers: [] }),
      degraded,
    });
  });

  const pendingOf = (count: number, userId = 'user-1') =>
    Array.from({ length: count }, (_, i) => ({ tokenHash: `${userId}-h${i}`, userId }));
  const degradedValue = async () => (await degraded.get()).values[0]?.value;

  it('drops a revoked session from the local cache before returning', async () => {
    const forget = jest.spyOn(reads, 'forget');
    await store.revoke([{ id: 's1' }], new Date(now));
    expect(forget).toHaveBeenCalledWith(['hash-s1']);
  });

  it('leaves a revocation pending even when its own DEL succeeded, so the sync deletes it once more', async () => {
    await store.revoke([{ id: 's1' }], new Date(now));
    expect(sessions.revokedWith).toEqual([{ redisPurgePending: true }]);
    expect(redis.executed).toContainEqual(['del', 'ck:session:hash-s1']);
    expect(sessions.pending).toHaveLength(1);

    expect(await store.syncRevocations()).toBe(1);
    expect(sessions.pending).toEqual([]);
  });

  it('deletes every pending session, its activity entry and its per-user set membership, in batches', async () => {
    sessions.pending = [...pendingOf(2, 'u2'), ...pendingOf(499, 'u1')];
    expect(await store.syncRevocations()).toBe(501);
    expect(sessions.pending).toEqual([]);
    const deleted = redis.executed.filter(([command]) => command === 'del').flatMap(([, ...keys]) => keys);
    expect(deleted).toHaveLength(501);
    expect(redis.executed.filter(([command]) => command === 'del').every((del) => del.length === 2)).toBe(true);
    expect(deleted).toContain('ck:session:u2-h1');
    expect(redis.executed).toContainEqual(['srem', 'ck:user-sessions:u2', 'u2-h0', 'u2-h1']);
    const activityRemoved = redis.executed.filter(([command]) => command === 'hdel').flatMap(([, , ...f]) => f);
    expect(activityRemoved).toHaveLength(501);
  });

  it('keeps the mark when Redis cannot be reached, and opens the circuit', async () => {
    sessions.pending = pendingOf(3);
    redis.reachable = false;
    expect(await store.syncRevocations()).toBe(0);
    expect(sessions.pending).toHaveLength(3);
    expect(store.mode).toBe('postgres-fallback');
    expect(await degradedValue()).toBe(1);
  });

  it('while the circuit is open, waits for the cooldown, then purges before Redis answers reads again', async () => {
    redis.reachable = false;
    await store.find('some-hash');
    expect(store.mode).toBe('postgres-fallback');
    redis.reachable = true;
    sessions.pending = pendingOf(2);

    expect(await store.syncRevocations()).toBe(0);
    expect(sessions.pending).toHaveLength(2);
    now += 1_000;
    expect(store.mode).toBe('postgres-fallback');

    expect(await store.syncRevocations()).toBe(2);
    expect(sessions.pending).toEqual([]);
    expect(store.mode).toBe('redis');
    expect(await degradedValue()).toBe(0);
  });

  it('stays on Postgres when the trial after the cooldown fails, with nothing pending', async () => {
    breaker.failed();
    now += 1_000;
    redis.reachable = false;
    expect(await store.syncRevocations()).toBe(0);
    expect(store.mode).toBe('postgres-fallback');
    now += 999;
    redis.reachable = true;
    expect(await store.syncRevocations()).toBe(0);
    expect(store.mode).toBe('postgres-fallback');
    now += 1;
    await store.syncRevocations();
    expect(store.mode).toBe('redis');
  });

  it('never tries Redis on the request path while the circuit is open, even after the cooldown', async () => {
    breaker.failed();
    now += 5_000;
    const get = jest.spyOn(redis, 'get');
    await store.find('some-hash');
    expect(get).not.toHaveBeenCalled();
    expect(store.mode).toBe('postgres-fallback');
  });

  it('lets a Postgres error through without blaming Redis', async () => {
    sessions.postgresDown = true;
    await expect(store.syncRevocations()).rejects.toThrow('connection terminated');
    expect(store.mode).toBe('redis');
  });
});

describe('RedisSessionStore entries in a real Redis', () => {
  const redis = new Redis(TEST_REDIS_URL);
  const namespace = `ck_test_${randomBytes(4).toString('hex')}`;
  const clock = { now: () => new Date() };
  const sealer = new SessionSealer(aCipher(), subjectKeys, {} as DataSource, { record: async () => undefined });
  const repository = { insert: async () => undefined } as unknown as SessionRepository;
  const store = new RedisSessionStore(
    redis,
    repository,
    new SessionReads(repository, clock),
    sealer,
    new CircuitBreaker(1_000, clock),
    clock,
    {
      timeoutMs: 1_000,
      idleSeconds: 3_600,
      revocationSyncMs: 60_000,
      namespace,
      fallbacks: new Counter({ name: 'fallbacks', help: 'f', labelNames: ['operation'], registers: [] }),
      degraded: new Gauge({ name: 'degraded', help: 'd', registers: [] }),
    },
  );
  afterAll(async () => {
    const keys = await redis.keys(`${namespace}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const aLiveSession = (): Session => {
    const now = Date.now();
    return {
      id: randomUUID(),
      tokenHash: randomBytes(32).toString('hex'),
      userId: randomUUID(),
      role: 'analyst',
      createdAt: new Date(now - 60_000),
      lastActivityAt: new Date(now - 1_000),
      expiresAt: new Date(now + 3_600_000),
      absoluteExpiresAt: new Date(now + 43_200_000),
      revokedAt: null,
      reauthRequiredAt: new Date(now - 500),
      ip: '203.0.113.9',
      userAgent: 'test-agent',
      deviceFingerprint: 'fp',
      metadata: { method: 'password' },
    };
  };
  const opened = async (session: Session) =>
    JSON.parse(
      (await sealer.openCached(session.tokenHash, (await redis.get(`${namespace}:session:${session.tokenHash}`))!))!,
    ) as Record<string, unknown>;

  it('keeps times as epoch milliseconds and reads the session back whole', async () => {
    const session = aLiveSession();
    await store.create(session);
    expect(await opened(session)).toMatchObject({ createdAt: session.createdAt.getTime(), revokedAt: null });
    expect(await store.find(session.tokenHash)).toEqual(session);
  });

  it('reads an entry written with ISO times, as earlier versions wrote them', async () => {
    const session = aLiveSession();
    const sealed = await sealer.sealCached(session, JSON.stringify(session));
    await redis.set(`${namespace}:session:${session.tokenHash}`, sealed!, 'PX', 60_000);
    expect(typeof (await opened(session)).createdAt).toBe('string');
    expect(await store.find(session.tokenHash)).toEqual(session);
  });
});
