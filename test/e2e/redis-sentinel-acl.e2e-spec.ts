import { connect } from 'node:net';
import { JOB_QUEUE, type JobQueue } from '../../src/infrastructure/queue/job-queue';
import { startTestApp, TestApp } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { AppProcess, startAppProcess } from '../support/process';
import { SpareSentinelSet } from '../support/redis-topologies';
import { waitFor } from '../support/wait-for';

const SENTINEL_USER = 'ck-sentinel';

/** The first reply line to one command on a fresh connection (no client library retrying or hiding it). */
function replyTo(port: number, command: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (!reply.includes('\r\n')) return;
      socket.destroy();
      resolve(reply.split('\r\n')[0]);
    });
    socket.write(
      `*${command.length}\r\n${command.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`,
    );
  });
}

/**
 * Sentinels that take only an ACL user (`user default off`): the app asks them for the master as
 * REDIS_SENTINEL_USERNAME/REDIS_SENTINEL_PASSWORD, for its own connection and Bull's. Wrong
 * credentials leave Redis down in readiness, saying why, while Postgres carries the sessions.
 */
describe('Sentinels that require an ACL user', () => {
  let set: SpareSentinelSet;
  beforeAll(async () => {
    set = await SpareSentinelSet.start({
      password: 'acl-data-secret',
      sentinelUsername: SENTINEL_USER,
      sentinelPassword: 'acl-sentinel-secret',
    });
  }, 60_000);
  afterAll(() => set?.stop());

  const sentinelPort = () => Number(set.environment.REDIS_SENTINELS!.split(',')[0].split(':')[1]);

  it('refuse a client without the user: none at all, or the password as the default user', async () => {
    expect(await replyTo(sentinelPort(), ['SENTINEL', 'masters'])).toMatch(/^-NOAUTH /);
    expect(await replyTo(sentinelPort(), ['AUTH', 'acl-sentinel-secret'])).toMatch(/^-WRONGPASS /);
    expect(await replyTo(sentinelPort(), ['AUTH', SENTINEL_USER, 'acl-sentinel-secret'])).toBe('+OK');
  });

  describe('the app given the user and its password', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(set.environment);
    }, 60_000);
    afterAll(() => t?.close());

    it('reports Redis up and keeps sessions in it', async () => {
      const { body } = await t.http().get('/health').expect(200);
      expect(body.details.redis).toMatchObject({ state: 'up' });
      expect(body.details.sessions).toMatchObject({ mode: 'redis' });
    });

    it("runs Bull jobs on the master the sentinels name to Bull's clients", async () => {
      const queue = t.app.get<JobQueue>(JOB_QUEUE);
      expect(queue.kind).toBe('bull');
      const ran: number[] = [];
      queue.process<{ n: number }>('sentinel-acl-probe', async ({ data }) => void ran.push(data.n));
      await Promise.all([1, 2].map((n) => queue.add('sentinel-acl-probe', { n })));
      await waitFor(() => ran.length === 2, 10_000);
      expect(ran.sort()).toEqual([1, 2]);
    });
  });

  /** The built process: a crash would show as an exit, and shutdown must still end in code 0. */
  describe('the built app given a wrong sentinel password', () => {
    const admin = { email: 'acl-admin@example.com', password: 'acl admin password 1' };
    let db: TestDatabase;
    let app: AppProcess;
    beforeAll(async () => {
      db = await createTestDatabase();
      const variables = { ...set.environment, REDIS_SENTINEL_PASSWORD: 'not-the-sentinel-secret' };
      app = await startAppProcess({
        NODE_ENV: 'test',
        DATA_DIR: '/tmp/compliance-kit-test',
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: db.url,
        HEALTH_CHECK_TIMEOUT_MS: '300',
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        ...(Object.fromEntries(Object.entries(variables).filter(([, value]) => value !== undefined)) as Record<
          string,
          string
        >),
      });
    }, 60_000);
    afterAll(async () => {
      await app?.stop();
      await db?.drop();
    });

    it('boots and stays ready, Redis down saying the sentinels refused the credentials, never the password', async () => {
      let redis: Record<string, unknown> = {};
      await waitFor(async () => {
        const response = await fetch(`${app.baseUrl}/health/ready`);
        redis = ((await response.json()) as { details: Record<string, Record<string, unknown>> }).details.redis;
        return response.status === 200 && /WRONGPASS/.test(String(redis.message));
      }, 10_000);
      expect(redis).toMatchObject({ state: 'down' });
      expect(redis.message).toMatch(
        /^not connected: All sentinels are unreachable\b.*WRONGPASS invalid username-password pair/,
      );
      expect(JSON.stringify(redis)).not.toMatch(/secret/);
    });

    it('serves logins and sessions from Postgres meanwhile', async () => {
      const login = await fetch(`${app.baseUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(admin),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const session = await fetch(`${app.baseUrl}/auth/session`, { headers: { authorization: `Bearer ${token}` } });
      expect(session.status).toBe(200);
      const health = (await (await fetch(`${app.baseUrl}/health`)).json()) as {
        details: { sessions: { mode: string } };
      };
      expect(health.details.sessions.mode).toMatch(/^postgres/);
    });

    it('logs why Redis is unavailable and stops cleanly on SIGTERM', async () => {
      expect(await app.stop('SIGTERM')).toBe(0);
      expect(app.output()).toMatch(/"context":"Redis","msg":"unavailable: All sentinels are unreachable[^"]*WRONGPASS/);
      expect(app.output()).not.toMatch(/not-the-sentinel-secret| {4}at /);
    });
  });
});
