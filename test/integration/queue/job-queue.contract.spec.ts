import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { BullJobQueue } from '../../../src/infrastructure/queue/bull-job-queue';
import { InProcessJobQueue } from '../../../src/infrastructure/queue/in-process-job-queue';
import { JobQueue, JobQueueUnavailableError } from '../../../src/infrastructure/queue/job-queue';
import { TEST_REDIS_URL } from '../../support/database';
import { redisClientsFor, SpareRedisCluster } from '../../support/redis-topologies';
import { waitFor } from '../../support/wait-for';

type Closable = JobQueue & { onApplicationShutdown(): Promise<void> };

const aPrefix = () => `cktest-${randomBytes(4).toString('hex')}`;
let cluster: SpareRedisCluster;
beforeAll(async () => (cluster = await SpareRedisCluster.start({ password: 'cluster-secret' })), 30_000);
afterAll(() => cluster?.stop());

describe.each([
  ['in-process', () => new InProcessJobQueue() as Closable],
  ['bull on real Redis', () => new BullJobQueue(redisClientsFor({ REDIS_URL: TEST_REDIS_URL }), aPrefix()) as Closable],
  [
    'bull on a Redis Cluster (3 masters)',
    () => new BullJobQueue(redisClientsFor(cluster.environment as Record<string, string>), aPrefix()) as Closable,
  ],
])('JobQueue contract: %s', (_kind, create) => {
  let queue: Closable;
  beforeEach(() => (queue = create()));
  afterEach(() => queue.onApplicationShutdown());

  it('runs every added job with its data', async () => {
    const seen: number[] = [];
    queue.process<{ n: number }>('collect', async ({ data }) => void seen.push(data.n));
    await Promise.all([1, 2, 3].map((n) => queue.add('collect', { n })));
    await waitFor(() => seen.length === 3);
    expect(seen.sort()).toEqual([1, 2, 3]);
  });

  it('retries a failing job and reports the attempt number', async () => {
    const attempts: number[] = [];
    queue.process('flaky', async ({ attempt }) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error('not yet');
    });
    await queue.add('flaky', {}, { attempts: 5 });
    await waitFor(() => attempts.includes(3));
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('enqueues a job id once while it is still pending', async () => {
    let runs = 0;
    await queue.add('dedup', {}, { jobId: 'same', delayMs: 200 });
    await queue.add('dedup', {}, { jobId: 'same', delayMs: 200 });
    queue.process('dedup', async () => void runs++);
    await waitFor(() => runs >= 1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(runs).toBe(1);
  });

  it('takes a job id again once its job has finally failed', async () => {
    let runs = 0;
    queue.process('fails', async () => {
      runs++;
      throw new Error('always');
    });
    const add = () => queue.add('fails', {}, { jobId: 'drain', attempts: 1 });
    await add();
    await waitFor(() => runs === 1);
    // Bull frees the id once it has recorded the failure, a moment after the run: add until taken.
    await waitFor(async () => {
      if (runs < 2) await add();
      return runs === 2;
    });
    expect(runs).toBe(2);
  });

  it('runs a job outside the async context that added it (a request transaction is over by then)', async () => {
    const context = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    queue.process('detached', async () => void seen.push(context.getStore()));
    await context.run('request', () => queue.add('detached', {}));
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([undefined]);
  });

  it('snapshots counts and final failures by queue, newest failure first, never job data', async () => {
    queue.process('snap.fails', async ({ data }) => {
      throw new Error(`no route to ${(data as { n: number }).n}`);
    });
    queue.process('snap.later', async () => undefined);
    await queue.add('snap.fails', { n: 1, email: 'alice.snapshot@example.com' }, { attempts: 1 });
    await waitFor(async () => (await queue.snapshot()).some((q) => q.name === 'snap.fails' && q.failed === 1));
    await queue.add('snap.fails', { n: 2, email: 'alice.snapshot@example.com' }, { attempts: 1 });
    await queue.add('snap.later', {}, { delayMs: 60_000 });
    await waitFor(async () => (await queue.snapshot()).some((q) => q.name === 'snap.fails' && q.failed === 2));

    const snapshot = await queue.snapshot();
    expect(snapshot.map((q) => q.name)).toEqual(['snap.fails', 'snap.later']);
    expect(snapshot[0]).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 2 });
    expect(snapshot[0].recentFailures.map(({ attempts, reason }) => ({ attempts, reason }))).toEqual([
      { attempts: 1, reason: 'no route to 2' },
      { attempts: 1, reason: 'no route to 1' },
    ]);
    expect(snapshot[0].recentFailures[0].failedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(snapshot[1]).toMatchObject({ waiting: 0, active: 0, delayed: 1, failed: 0, recentFailures: [] });
    expect(JSON.stringify(snapshot)).not.toContain('alice');
  });

  it('cuts a long failure message to 200 characters', async () => {
    queue.process('snap.long', async () => {
      throw new Error('x'.repeat(1_000));
    });
    await queue.add('snap.long', {}, { attempts: 1 });
    await waitFor(async () => (await queue.snapshot())[0]?.failed === 1);
    expect((await queue.snapshot())[0].recentFailures[0].reason).toHaveLength(200);
  });

  it('runs a repeatable job on its interval', async () => {
    let runs = 0;
    queue.process('tick', async () => void runs++);
    await queue.repeat('tick', 150, {});
    await waitFor(() => runs >= 2);
  });
});

describe('BullJobQueue shutdown', () => {
  it('stops after its close timeout while a job still runs, instead of waiting for it', async () => {
    const queue = new BullJobQueue(redisClientsFor({ REDIS_URL: TEST_REDIS_URL }), aPrefix(), undefined, 300);
    let release = () => {};
    let started = false;
    queue.process('endless', async () => {
      started = true;
      await new Promise<void>((resolve) => (release = resolve));
    });
    await queue.add('endless', {});
    await waitFor(() => started);
    try {
      await queue.onApplicationShutdown();
    } finally {
      release();
    }
  }, 10_000);
});

describe('BullJobQueue with Redis unreachable', () => {
  it('rejects an add within seconds instead of waiting for Redis', async () => {
    const queue = new BullJobQueue(redisClientsFor({ REDIS_URL: 'redis://127.0.0.1:1' }), aPrefix());
    try {
      await expect(queue.add('nowhere', {})).rejects.toThrow(/job queue unavailable/);
    } finally {
      await queue.onApplicationShutdown();
    }
  }, 10_000);

  it('rejects a snapshot within seconds with JobQueueUnavailableError', async () => {
    const queue = new BullJobQueue(redisClientsFor({ REDIS_URL: 'redis://127.0.0.1:1' }), aPrefix());
    try {
      queue.process('somewhere', async () => undefined);
      await expect(queue.snapshot()).rejects.toBeInstanceOf(JobQueueUnavailableError);
    } finally {
      await queue.onApplicationShutdown();
    }
  }, 10_000);
});

describe('InProcessJobQueue snapshot', () => {
  it('counts completed jobs since boot, and a job waiting for its retry as delayed', async () => {
    const queue = new InProcessJobQueue();
    try {
      let runs = 0;
      queue.process('ok', async () => void runs++);
      queue.process('retrying', async () => {
        throw new Error('later');
      });
      await Promise.all([queue.add('ok', {}), queue.add('ok', {}), queue.add('retrying', {}, { attempts: 5 })]);
      await waitFor(async () => runs === 2 && (await queue.snapshot())[1].delayed === 1);
      expect(await queue.snapshot()).toEqual([
        { name: 'ok', waiting: 0, active: 0, delayed: 0, completed: 2, failed: 0, recentFailures: [] },
        { name: 'retrying', waiting: 0, active: 0, delayed: 1, completed: 0, failed: 0, recentFailures: [] },
      ]);
    } finally {
      await queue.onApplicationShutdown();
    }
  });

  it('keeps the latest 10 failures of a queue', async () => {
    const queue = new InProcessJobQueue();
    try {
      queue.process<{ n: number }>('fails', async ({ data }) => {
        throw new Error(`failure ${data.n}`);
      });
      for (let n = 1; n <= 12; n++) await queue.add('fails', { n }, { attempts: 1 });
      await waitFor(async () => (await queue.snapshot())[0].failed === 12);
      const [{ recentFailures }] = await queue.snapshot();
      expect(recentFailures.map((failure) => failure.reason)).toEqual(
        Array.from({ length: 10 }, (_, i) => `failure ${12 - i}`),
      );
    } finally {
      await queue.onApplicationShutdown();
    }
  });
});

describe('BullJobQueue on a Redis Cluster', () => {
  it('keeps every key of a queue in one hash slot, and different queues in different slots', async () => {
    const prefix = aPrefix();
    const queue = new BullJobQueue(redisClientsFor(cluster.environment as Record<string, string>), prefix);
    const names = ['alpha', 'beta', 'gamma', 'delta'];
    try {
      const ran: string[] = [];
      for (const name of names) queue.process(name, async () => void ran.push(name));
      await queue.repeat('alpha', 60_000, {});
      await Promise.all(names.map((name) => queue.add(name, {}, { delayMs: 50 })));
      await queue.add('beta', {}, { jobId: 'kept', delayMs: 60_000 });
      await waitFor(() => ran.length >= names.length);
      const keys = await cluster.keys(`${prefix}:*`);
      const client = cluster.nodeClient(cluster.ports[0]);
      const slots = new Map<string, Set<number>>();
      for (const { key } of keys) {
        const queueName = /^[^:]+:\{([^}]+)\}:/.exec(key)?.[1] ?? `untagged ${key}`;
        const slot = (await client.call('CLUSTER', 'KEYSLOT', key)) as number;
        slots.set(queueName, (slots.get(queueName) ?? new Set()).add(slot));
      }
      client.disconnect();
      expect([...slots.keys()].sort()).toEqual([...names].sort());
      for (const [, inQueue] of slots) expect(inQueue.size).toBe(1);
      expect(new Set([...slots.values()].map((s) => [...s][0])).size).toBe(names.length);
      expect(keys.some(({ key }) => key.endsWith(':{beta}:kept'))).toBe(true);
    } finally {
      await queue.onApplicationShutdown();
    }
  });
});
