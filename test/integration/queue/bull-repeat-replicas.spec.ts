import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { BullJobQueue } from '../../../src/infrastructure/queue/bull-job-queue';
import { TEST_REDIS_URL } from '../../support/database';
import { redisClientsFor } from '../../support/redis-topologies';
import { waitFor } from '../../support/wait-for';

const EVERY_MS = 200;
const STARTED = /^job tick repeat:[0-9a-f]+:(\d+) attempt 1 started$/;

async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
}

describe('BullJobQueue: a repeatable job on three replicas (one queue prefix)', () => {
  const prefix = `cktest-${randomBytes(4).toString('hex')}`;
  const replicas = [0, 1, 2].map(() => new BullJobQueue(redisClientsFor({ REDIS_URL: TEST_REDIS_URL }), prefix));
  const lines: string[] = [];
  const ranOn: number[] = [];

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'debug').mockImplementation((message: unknown) => void lines.push(String(message)));
    replicas.forEach((queue, i) => queue.process('tick', async () => void ranOn.push(i)));
    // Every replica schedules it at boot, as the app's jobs do.
    await Promise.all(replicas.map((queue) => queue.repeat('tick', EVERY_MS, {})));
    await waitFor(() => ranOn.length >= 8);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await Promise.all(replicas.map((queue) => queue.onApplicationShutdown()));
    await dropKeys(prefix);
  });

  const slots = () => lines.flatMap((line) => STARTED.exec(line)?.[1] ?? []).map(Number);

  it('runs each interval once across the replicas, and logs the run with its interval', () => {
    const started = slots();
    expect(started.length).toBe(ranOn.length);
    expect(new Set(started).size).toBe(started.length);
    const sorted = [...started].sort((a, b) => a - b);
    // Each run is its own interval's slot; a slow machine may skip a slot (docs/scaling.md), never repeat one.
    for (let i = 1; i < sorted.length; i++) expect((sorted[i] - sorted[i - 1]) % EVERY_MS).toBe(0);
  });

  it('logs the end of each run too', () => {
    const done = lines.filter((line) => / attempt 1 done$/.test(line)).length;
    expect(done).toBeGreaterThanOrEqual(ranOn.length - 1);
  });
});

describe('BullJobQueue: a replica registering the schedule just after an interval ran', () => {
  const prefix = `cktest-${randomBytes(4).toString('hex')}`;
  const [running, booting] = [0, 1].map(() => new BullJobQueue(redisClientsFor({ REDIS_URL: TEST_REDIS_URL }), prefix));
  const lines: string[] = [];
  let runs = 0;

  afterAll(async () => {
    jest.restoreAllMocks();
    await Promise.all([running, booting].map((queue) => queue.onApplicationShutdown()));
    await dropKeys(prefix);
  });

  it('does not run that interval again (its job, removed on completion, is added once more)', async () => {
    jest.spyOn(Logger.prototype, 'debug').mockImplementation((message: unknown) => void lines.push(String(message)));
    const every = 1_000;
    const line = (phase: string) => new RegExp(`^job edge repeat:[0-9a-f]+:(\\d+) attempt 1 (?:${phase})(:|$)`);
    running.process('edge', async () => void runs++);
    booting.process('edge', async () => void runs++);
    await booting.backlog('edge');
    await running.repeat('edge', every, {});
    await waitFor(() => lines.some((l) => line('done').test(l)));
    const slot = Number(line('done').exec(lines.find((l) => line('done').test(l))!)![1]);
    // Its clock just short of the slot (a boot computing the next interval a moment before it began).
    const clock = jest.spyOn(Date, 'now').mockReturnValue(slot - 1);
    await booting.repeat('edge', every, {});
    clock.mockRestore();
    const taken = () => lines.filter((l) => line('started|skipped').exec(l)?.[1] === String(slot));
    await waitFor(() => taken().length === 2);
    expect(taken().map((l) => / (started|skipped)/.exec(l)![1])).toEqual(['started', 'skipped']);
  });
});
