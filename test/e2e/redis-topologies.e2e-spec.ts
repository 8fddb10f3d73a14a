import { createHash } from 'node:crypto';
import { JOB_QUEUE, type JobQueue } from '../../src/infrastructure/queue/job-queue';
import { recordCacheKey } from '../../src/modules/compliance/records/cache/record-cache';
import { systemClock } from '../../src/modules/sessions/clock';
import { SessionMaintenanceJobs } from '../../src/modules/sessions/jobs/session-maintenance.jobs';
import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { aRecord } from '../support/builders/compliance-record.builder';
import { aUser } from '../support/builders/user.builder';
import { SpareRedisCluster, SpareSentinelSet } from '../support/redis-topologies';
import { waitFor } from '../support/wait-for';
import { samplesOf } from '../support/metric-samples';

const LOGIN_LIMIT = 6;

/** A topology the app is booted on, and a way to look at what it holds. */
interface Topology {
  environment: Record<string, string | undefined>;
  /** Every key matching `pattern` on every master. */
  keys(pattern: string): Promise<string[]>;
  /** The key's Cluster hash slot; undefined off a Cluster. */
  slotOf(key: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

async function sentinelTopology(): Promise<Topology> {
  const set = await SpareSentinelSet.start({ password: 'data-secret', sentinelPassword: 'sentinel-secret' });
  const master = set.dataClient(await set.masterPort());
  return {
    environment: set.environment,
    keys: async (pattern) => {
      const found: string[] = [];
      for await (const keys of master.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>) {
        found.push(...keys);
      }
      return found;
    },
    slotOf: async () => undefined,
    stop: async () => {
      master.disconnect();
      await set.stop();
    },
  };
}

async function clusterTopology(): Promise<Topology> {
  const cluster = await SpareRedisCluster.start({ password: 'cluster-secret' });
  const first = cluster.nodeClient(cluster.ports[0]);
  return {
    environment: cluster.environment,
    keys: async (pattern) => (await cluster.keys(pattern)).map(({ key }) => key),
    slotOf: async (key) => (await first.call('CLUSTER', 'KEYSLOT', key)) as number,
    stop: async () => {
      first.disconnect();
      await cluster.stop();
    },
  };
}

describe.each([
  ['Sentinel (1 master, 1 replica, 3 sentinels, passwords on both)', sentinelTopology],
  ['a Redis Cluster (3 masters, password)', clusterTopology],
])('the app on %s', (_name, start) => {
  let topology: Topology;
  let t: TestApp;
  const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
  const inRedis = async (key: string) => (await topology.keys(key)).length === 1;

  beforeAll(async () => {
    topology = await start();
    t = await startTestApp({ ...topology.environment, THROTTLE_LOGIN_LIMIT: String(LOGIN_LIMIT) });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await topology?.stop();
  });

  it('reports Redis up and serves sessions from it', async () => {
    const { body } = await t.http().get('/health').expect(200);
    expect(body.details.redis).toMatchObject({ state: 'up' });
    expect(body.details.sessions).toMatchObject({ mode: 'redis' });
  });

  it('logs in, keeps the session in Redis, and removes it there on logout', async () => {
    const input = aUser();
    await t.app.get(UsersService).create(input);
    const login = await t.http().post('/auth/login').send({ email: input.email, password: input.password }).expect(200);
    const auth = { Authorization: `Bearer ${login.body.token}` };
    expect(await inRedis(`${t.db.name}:session:${hashOf(login.body.token)}`)).toBe(true);
    await t.http().get('/auth/session').set(auth).expect(200);
    await t.http().post('/auth/logout').set(auth).expect(204);
    await waitFor(async () => !(await inRedis(`${t.db.name}:session:${hashOf(login.body.token)}`)), 5_000);
    await t.http().get('/auth/session').set(auth).expect(401);
  });

  it('slides a session in Redis and moves its last activity to Postgres in the sync job', async () => {
    const input = aUser();
    const user = await t.app.get(UsersService).create(input);
    const login = await t.http().post('/auth/login').send({ email: input.email, password: input.password }).expect(200);
    const later = Date.now() + 10 * 60_000;
    jest.spyOn(systemClock, 'now').mockImplementation(() => new Date(later));
    try {
      await t.http().get('/auth/session').set('Authorization', `Bearer ${login.body.token}`).expect(200);
      expect(await t.app.get(SessionMaintenanceJobs).syncActivity()).toBeGreaterThanOrEqual(1);
    } finally {
      jest.restoreAllMocks();
    }
    const [row] = await t.db.query<{ at: Date }>(
      'SELECT last_activity_at AS at FROM session_store WHERE user_id = $1',
      [user.id],
    );
    expect(row.at.getTime()).toBe(later);
  });

  it('caches a record in Redis and serves the second read from there', async () => {
    const analyst = await t.as('analyst');
    const { body } = await analyst.post('/compliance/records').send(aRecord()).expect(201);
    await analyst.get(`/compliance/records/${body.id}`).expect(200);
    expect(await inRedis(recordCacheKey(t.db.name, body.id))).toBe(true);
    await t.db.query(`UPDATE compliance_records SET score = 1 WHERE id = $1`, [body.id]);
    expect((await analyst.get(`/compliance/records/${body.id}`).expect(200)).body.score).toBe(body.score);
  });

  it('runs Bull jobs; on a Cluster every queue keeps its keys in one hash slot', async () => {
    const queue = t.app.get<JobQueue>(JOB_QUEUE);
    expect(queue.kind).toBe('bull');
    const ran: number[] = [];
    queue.process<{ n: number }>('topology-probe', async ({ data }) => void ran.push(data.n));
    await Promise.all([1, 2, 3].map((n) => queue.add('topology-probe', { n })));
    await waitFor(() => ran.length === 3, 10_000);
    expect(ran.sort()).toEqual([1, 2, 3]);

    const keys = await topology.keys(`${t.db.name}:*`);
    const slotsByQueue = new Map<string, Set<number | undefined>>();
    for (const key of keys) {
      const name = key.slice(t.db.name.length + 1).replace(/^\{([^}]+)\}:.*$|^([^:]+):.*$/, '$1$2');
      // The prefix also holds sessions, caches and counters: only the queues' keys are grouped here.
      if (!queue.names.includes(name)) continue;
      slotsByQueue.set(name, (slotsByQueue.get(name) ?? new Set()).add(await topology.slotOf(key)));
    }
    // The app's own queues (outbox, audit, sessions, …) and the probe's.
    expect(slotsByQueue.size).toBeGreaterThan(3);
    expect(slotsByQueue.has('topology-probe')).toBe(true);
    for (const slots of slotsByQueue.values()) expect(slots.size).toBe(1);
    if (topology.environment.REDIS_CLUSTER_NODES) {
      const slots = [...slotsByQueue.values()].map((inQueue) => [...inQueue][0]);
      expect(slots.every((slot) => typeof slot === 'number')).toBe(true);
      expect(new Set(slots).size).toBe(slotsByQueue.size);
    }
  });

  it('counts login attempts in Redis and answers 429 over the limit', async () => {
    const attempt = () => t.http().post('/auth/login').send({ email: 'nobody@example.com', password: 'not it at all' });
    const statuses: number[] = [];
    for (let i = 0; i <= LOGIN_LIMIT + 1 && !statuses.includes(429); i++) statuses.push((await attempt()).status);
    expect(statuses.at(-1)).toBe(429);
    expect((await topology.keys(`${t.db.name}:throttle:{login:*}`)).length).toBeGreaterThan(0);
    expect((await topology.keys(`${t.db.name}:throttle:{login:*}:blocked`)).length).toBeGreaterThan(0);
  });

  it('never fell back: no session operation answered by Postgres, no cache error', async () => {
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(samplesOf(metrics, 'session_store_fallbacks_total').filter((sample) => sample.value > 0)).toEqual([]);
    expect(metrics).not.toMatch(/compliance_record_cache_requests_total\{result="error"\} [1-9]/);
    expect(metrics).toMatch(/compliance_record_cache_requests_total\{result="hit"\} [1-9]/);
  });
});
