import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { EncryptionStatusView } from '../../src/modules/encryption/dto/encryption.dto';
import { FieldCipher } from '../../src/modules/encryption/field-cipher';
import { hashToken } from '../../src/modules/sessions/session-token';
import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { encryptionKeysJson } from '../support/builders/keyring.builder';
import { aUser } from '../support/builders/user.builder';
import { TEST_REDIS_URL } from '../support/database';
import { waitFor } from '../support/wait-for';

interface Finding {
  where: string;
  needle: string;
}

/** Every row of every table (partitioned parents include their partitions), as JSON text. */
async function scanPostgres(t: TestApp, needles: string[]): Promise<Finding[]> {
  const tables = await t.db.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
  );
  const findings: Finding[] = [];
  for (const { name } of tables) {
    const rows = await t.db.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${name} t`);
    for (const { row } of rows) {
      for (const needle of needles) if (row.toLowerCase().includes(needle)) findings.push({ where: name, needle });
    }
  }
  return findings;
}

/**
 * Every key name in the shared Redis, and every value of every type except other databases'
 * control-graph caches (catalog JSON derived from their own database, hundreds of MB on a busy
 * machine): this app's sessions, activity, throttle counters and queues are all read.
 */
async function scanRedis(redis: Redis, needles: string[], prefix: string): Promise<Finding[]> {
  const foreign = (key: string) => key.includes('{control-graph:') && !key.startsWith(`${prefix}:`);
  const findings: Finding[] = [];
  const check = (where: string, text: string) => {
    for (const needle of needles) if (text.toLowerCase().includes(needle)) findings.push({ where, needle });
  };
  for await (const keys of redis.scanStream({ count: 500 }) as AsyncIterable<string[]>) {
    const types = await Promise.all(keys.map((key) => redis.type(key)));
    await Promise.all(
      keys.map(async (key, i) => {
        check(key, key);
        if (foreign(key)) return;
        const read: Record<string, () => Promise<unknown>> = {
          string: () => redis.get(key),
          hash: () => redis.hgetall(key),
          set: () => redis.smembers(key),
          list: () => redis.lrange(key, 0, -1),
          zset: () => redis.zrange(key, 0, -1),
          stream: () => redis.xrange(key, '-', '+'),
        };
        const value = await read[types[i]]?.();
        if (value !== undefined && value !== null) check(key, JSON.stringify(value));
      }),
    );
  }
  return findings;
}

describe('session IP, user agent and metadata at rest', () => {
  let t: TestApp;
  let redis: Redis;
  const marker = randomBytes(6).toString('hex');
  const origin = {
    ip: `2001:db8:${marker.slice(0, 4)}:${marker.slice(4, 8)}::${marker.slice(8, 12)}`,
    forwardedFor: `2001:db8:ffff:${marker.slice(0, 4)}::1`,
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) CkProbe-${marker}/3.1 Firefox/128.0`,
    acceptLanguage: `en-GB,x-ck${marker.slice(0, 6)};q=0.5`,
    deviceId: `device-${marker}`,
    deviceName: `Desk ${marker}`,
  };
  const needles = [
    origin.ip,
    origin.forwardedFor,
    `ckprobe-${marker}`,
    `x-ck${marker.slice(0, 6)}`,
    origin.deviceId,
    marker,
  ];
  const device = {
    'user-agent': origin.userAgent,
    'accept-language': origin.acceptLanguage,
    'x-device-id': origin.deviceId,
    'x-forwarded-for': origin.forwardedFor,
  };
  let token: string;
  let userId: string;
  const redisFindings = () => scanRedis(redis, needles, t.db.name);

  const call = async (method: 'GET' | 'POST', url: string, body?: Record<string, unknown>, bearer = token) => {
    const fastify = t.app.getHttpAdapter().getInstance() as FastifyInstance;
    const headers = { ...device, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
    const response = await fastify.inject({ method, url, headers, payload: body, remoteAddress: origin.ip });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };

  beforeAll(async () => {
    t = await startTestApp({
      ENCRYPTION_KEYS: encryptionKeysJson(['k1', 'k2'], 'k1'),
      BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    });
    redis = new Redis(TEST_REDIS_URL);
    const user = aUser();
    userId = (await t.app.get(UsersService).create(user)).id;
    expect((await call('POST', '/auth/login', { email: user.email, password: 'wrong password' }, '')).status).toBe(401);
    const login = await call(
      'POST',
      '/auth/login',
      { email: user.email, password: user.password, deviceName: origin.deviceName },
      '',
    );
    expect(login.status).toBe(200);
    token = login.body.token;
  });
  afterAll(async () => {
    redis.disconnect();
    await t.close();
  });

  it('shows the session its origin in clear', async () => {
    const [mine] = (await call('GET', '/auth/sessions')).body;
    expect(mine).toMatchObject({ ip: origin.ip, userAgent: origin.userAgent, deviceName: origin.deviceName });
  });

  it('leaves no plaintext IP, user agent, device trait or metadata in any Postgres table, the audit trail included', async () => {
    expect(await scanPostgres(t, needles)).toEqual([]);
    // The scan does see plaintext where there is some.
    await t.db.query('CREATE TABLE scan_probe (note text)');
    await t.db.query('INSERT INTO scan_probe VALUES ($1)', [origin.userAgent]);
    expect(await scanPostgres(t, needles)).toContainEqual({ where: 'public.scan_probe', needle: `ckprobe-${marker}` });
    await t.db.query('DROP TABLE scan_probe');
  });

  it("records the origin in the audit trail sealed under the user's key, and an auditor reads it in clear", async () => {
    const [login] = await t.db.query<{ id: string; ip: string; user_agent: string }>(
      `SELECT id, ip, user_agent FROM audit_events WHERE action = 'auth.login.succeeded'`,
    );
    expect(login.ip.startsWith(`s1:${userId}:`)).toBe(true);
    expect(login.user_agent.startsWith(`s1:${userId}:`)).toBe(true);
    const auditor = await t.as('auditor');
    const { body } = await auditor.get('/audit/events?action=auth.login.succeeded').expect(200);
    expect(body.items).toContainEqual(
      expect.objectContaining({ id: login.id, ip: origin.ip, userAgent: origin.userAgent }),
    );
  });

  it("leaves none in any Redis key, and keeps the cached session sealed under the user's key", async () => {
    const cached = (await redis.get(`${t.db.name}:session:${hashToken(token)}`)) as string;
    expect(cached.startsWith(`s1:${userId}:`)).toBe(true);
    const [row] = await t.db.query<Record<string, string>>(
      `SELECT ip, user_agent, metadata FROM session_store WHERE token_hash = $1`,
      [hashToken(token)],
    );
    for (const value of Object.values(row)) expect(value.startsWith(`s1:${userId}:`)).toBe(true);
    expect(await redisFindings()).toEqual([]);
    const probe = `${t.db.name}:scan-probe`;
    await redis.set(probe, origin.userAgent);
    expect(await redisFindings()).toContainEqual({ where: probe, needle: `ckprobe-${marker}` });
    await redis.del(probe);
  });

  it('still locks out a client IP, counted under its blind index', async () => {
    const fastify = t.app.getHttpAdapter().getInstance() as FastifyInstance;
    const user = aUser();
    await t.app.get(UsersService).create(user);
    const logInFrom = async (remoteAddress: string, password: string) =>
      (
        await fastify.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { email: user.email, password },
          remoteAddress,
        })
      ).statusCode;
    const attacker = `2001:db8:dead:${marker.slice(0, 4)}::1`;
    // 5 × LOGIN_MAX_FAILURES (5) per IP, spread over unknown accounts so no account locks.
    for (let i = 0; i < 25; i++) {
      const res = await fastify.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: `nobody${i}@example.com`, password: 'wrong password' },
        remoteAddress: attacker,
      });
      expect(res.statusCode).toBe(401);
    }
    expect(await logInFrom(attacker, user.password)).toBe(423);
    expect(await logInFrom('2001:db8:beef::1', user.password)).toBe(200);
    const subjects = await t.db.query<{ subject: string }>(
      `SELECT subject FROM login_failures WHERE subject LIKE 'ip:%'`,
    );
    for (const { subject } of subjects) expect(subject).toMatch(/^ip:[0-9a-f]{64}$/);
  });

  it('moves keyring session values under the subject key on rotation, rewraps the key, and reads on with the old key retired', async () => {
    const admin = await t.as('admin');
    const status = async () => (await admin.get('/admin/encryption/status').expect(200)).body as EncryptionStatusView;
    const sessionColumns = (s: EncryptionStatusView) => s.columns.filter((c) => c.table === 'session_store');
    expect(sessionColumns(await status()).map((c) => c.column)).toEqual(['ip', 'user_agent', 'metadata']);
    // A session row as written before subject keys: under the keyring, bound to its row.
    const [session] = await t.db.query<{ id: string }>(`SELECT id::text FROM session_store WHERE token_hash = $1`, [
      hashToken(token),
    ]);
    const cipher = t.app.get(FieldCipher);
    await t.db.query(`UPDATE session_store SET user_agent = $2 WHERE id = $1`, [
      session.id,
      cipher.encryptRow(origin.userAgent, { table: 'session_store', column: 'user_agent', id: session.id }),
    ]);
    const before = await status();
    expect(sessionColumns(before).find((c) => c.column === 'user_agent')?.rowsByKey).toMatchObject({ k1: 1 });
    const pending = before.subjectKeys.pendingValues;
    expect(pending).toBeGreaterThanOrEqual(1);

    await admin.post('/admin/encryption/rotate').send({ keyId: 'k2' }).expect(202);
    await waitFor(async () => (await status()).rotation?.status === 'completed', 20_000);
    const after = await status();
    for (const column of sessionColumns(after)) expect(Object.keys(column.rowsByKey)).toEqual(['subject']);
    expect(after.subjectKeys.pendingValues).toBe(pending - 1);
    const [moved] = await t.db.query<{ user_agent: string }>(`SELECT user_agent FROM session_store WHERE id = $1`, [
      session.id,
    ]);
    expect(moved.user_agent.startsWith(`s1:${userId}:`)).toBe(true);
    await admin.post('/admin/encryption/retire/k1').expect(204);

    const cachedKey = `${t.db.name}:session:${hashToken(token)}`;
    const cached = (await redis.get(cachedKey)) as string;
    expect(cached.startsWith(`s1:${userId}:`)).toBe(true);
    expect((await call('GET', '/auth/session')).body).toMatchObject({ ip: origin.ip, deviceName: origin.deviceName });
    const [listed] = (await call('GET', '/auth/sessions')).body;
    expect(listed).toMatchObject({ userAgent: origin.userAgent });
    expect(await redisFindings()).toEqual([]);
    expect(await scanPostgres(t, needles)).toEqual([]);
  });
});
