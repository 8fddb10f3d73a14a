import { execFileSync } from 'node:child_process';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { FieldCipher } from '../../../src/modules/encryption/field-cipher';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { aUser } from '../../support/builders/user.builder';
import { dropQueueKeys, logInAs, startTestAppOn, type AuthenticatedAgent, type TestApp } from '../../support/app';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '../../support/database';

const ERASED_PROBLEM = '/problems/subject-erased';

/** Every row of every table in `public`, as text (text, bytea, jsonb and every other column alike). */
async function everyRow(db: TestDatabase): Promise<string[]> {
  const tables = await db.query<{ name: string }>(
    `SELECT quote_ident(c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
  );
  const rows: string[] = [];
  for (const { name } of tables) {
    for (const row of await db.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`))
      rows.push(`${name} ${row.row}`);
  }
  return rows;
}

/** Every Redis key of this app (QUEUE_PREFIX is the database's name) with its value, whatever its type. */
async function everyRedisValue(prefix: string): Promise<string[]> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const values: string[] = [];
  try {
    for await (const keys of redis.scanStream({ match: `*${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'list'
                ? JSON.stringify(await redis.lrange(key, 0, -1))
                : type === 'set'
                  ? JSON.stringify(await redis.smembers(key))
                  : type === 'zset'
                    ? JSON.stringify(await redis.zrange(key, 0, -1))
                    : '';
        values.push(`${key} ${value}`);
      }
    }
  } finally {
    redis.disconnect();
  }
  return values;
}

describe('data-subject rights: export, erasure by crypto-shredding, backups', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ck-erasure-'));
  const ledger = join(dataDir, 'erasure-ledger.jsonl');
  const dump = join(dataDir, 'before-erasure.dump');
  const environment = { DATA_DIR: dataDir, ERASURE_LEDGER_FILE: ledger };
  const person = aUser({
    email: 'erin.subject@example.com',
    phone: '+14155550199',
    ssn: '987-65-4321',
    address: '42 Shredding Lane, Springfield',
    displayName: 'Erin Subjectova',
  });
  /** Sent on every request of theirs. No trusted proxy is configured, so their IP is the loopback's. */
  const userAgent = 'ErinBrowser/7.3 (Shredding Lane Edition)';
  const plaintexts = [
    person.email,
    person.phone,
    person.ssn,
    person.address,
    person.displayName,
    userAgent,
  ] as string[];
  let db: TestDatabase;
  let restored: TestDatabase | undefined;
  let t: TestApp;
  let admin: AuthenticatedAgent;
  let subjectId: string;
  let subjectToken: string;
  /** Their sealed session values (Postgres and Redis) as they were before the erasure, as in a backup. */
  const sessionCiphertexts: { stored: string; row: { table: string; column: string; id: string } }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestAppOn(db, environment);
    admin = await logInAs(t.app, 'admin');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await dropQueueKeys(db.name);
    await restored?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const login = async () =>
    (
      await t
        .http()
        .post('/auth/login')
        .set('User-Agent', userAgent)
        .send({ email: person.email, password: person.password })
        .expect(200)
    ).body.token as string;

  it('exports everything held about the subject to the subject themself', async () => {
    subjectId = (await admin.post('/users').send(person).expect(201)).body.id;
    subjectToken = await login();
    await login();
    await admin.patch(`/users/${subjectId}`).send({ phone: '+14155550100' }).expect(200);
    await admin.patch(`/users/${subjectId}`).send({ phone: person.phone }).expect(200);
    const record = await t
      .http()
      .post('/compliance/records')
      .set('Authorization', `Bearer ${subjectToken}`)
      .set('User-Agent', userAgent)
      .send(aRecord())
      .expect(201);

    const res = await t
      .http()
      .get(`/subjects/${subjectId}/export`)
      .set('Authorization', `Bearer ${subjectToken}`)
      .set('User-Agent', userAgent);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const exported = JSON.parse(res.text);
    expect(exported).toMatchObject({ subjectId, erased: false, profile: { email: person.email, ssn: person.ssn } });
    expect(exported.sessions.length).toBeGreaterThanOrEqual(2);
    expect(exported.sessions[0]).toMatchObject({ userAgent });
    const acted = exported.auditEvents.filter((e: { actorId: string }) => e.actorId === subjectId);
    expect(acted.length).toBeGreaterThanOrEqual(2);
    expect(acted.every((e: { userAgent: string }) => e.userAgent === userAgent)).toBe(true);
    const updates = exported.auditEvents.filter((e: { action: string }) => e.action === 'user.updated');
    expect(updates[0].sensitive).toEqual({ before: { phone: person.phone }, after: { phone: '+14155550100' } });
    expect(exported.records).toContainEqual(
      expect.objectContaining({ resourceId: record.body.id, actions: expect.arrayContaining([expect.any(String)]) }),
    );
  });

  it('refuses the export to anyone but the subject and admins, and audits every export', async () => {
    const other = await logInAs(t.app, 'analyst');
    await other.get(`/subjects/${subjectId}/export`).expect(403);
    await admin.get('/subjects/00000000-0000-4000-8000-000000000000/export').expect(404);
    const events = await db.query(
      `SELECT actor_id FROM audit_events WHERE action = 'subject.exported' AND resource_id = $1`,
      [subjectId],
    );
    expect(events).toEqual([{ actor_id: subjectId }]);
  });

  it('refuses an erasure without a reason, of an unknown subject, and of the last active admin', async () => {
    await admin.post(`/subjects/${subjectId}/erasure`).send({}).expect(400);
    await admin.post('/subjects/00000000-0000-4000-8000-000000000000/erasure').send({ reason: 'DPO-1' }).expect(404);
    const res = await admin.post(`/subjects/${admin.userId}/erasure`).send({ reason: 'DPO-2' }).expect(409);
    expect(res.body.type).toBe('/problems/last-admin');
  });

  it('erases once, idempotently, ending the sessions, dropping the failed-login counter and writing the ledger', async () => {
    await t
      .http()
      .post('/auth/login')
      .set('User-Agent', userAgent)
      .send({ email: person.email, password: 'not the password' })
      .expect(401);
    const failures = () => db.query(`SELECT subject FROM login_failures WHERE subject LIKE 'account:%'`);
    expect(await failures()).toHaveLength(1);
    for (const session of await db.query<Record<string, string>>(
      `SELECT id::text, token_hash, ip, user_agent, metadata FROM session_store WHERE user_id = $1`,
      [subjectId],
    )) {
      for (const column of ['ip', 'user_agent', 'metadata']) {
        sessionCiphertexts.push({ stored: session[column], row: { table: 'session_store', column, id: session.id } });
      }
      const cached = (await everyRedisValue(`${db.name}:session:${session.token_hash}`))[0]?.split(' ')[1];
      if (cached) {
        sessionCiphertexts.push({
          stored: cached,
          row: { table: 'session-cache', column: 'session', id: session.token_hash },
        });
      }
    }
    expect(sessionCiphertexts.filter(({ row }) => row.table === 'session-cache').length).toBeGreaterThanOrEqual(1);
    expect(sessionCiphertexts.length).toBeGreaterThanOrEqual(7);
    execFileSync('pg_dump', ['-Fc', '-f', dump, db.url]);
    const first = await admin.post(`/subjects/${subjectId}/erasure`).send({ reason: 'GDPR Art. 17, DPO-1042' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ subjectId, erasedNow: true });
    const again = await admin.post(`/subjects/${subjectId}/erasure`).send({ reason: 'GDPR Art. 17, DPO-1042' });
    expect(again.body).toEqual({ subjectId, erasedNow: false });

    await t.http().get('/auth/session').set('Authorization', `Bearer ${subjectToken}`).expect(401);
    expect(await failures()).toEqual([]);
    const origins = await db.query(
      `SELECT ip, user_agent, metadata, revoked_at FROM session_store WHERE user_id = $1`,
      [subjectId],
    );
    expect(origins.length).toBeGreaterThanOrEqual(2);
    for (const origin of origins) {
      expect(origin).toEqual({ ip: null, user_agent: null, metadata: null, revoked_at: expect.any(Date) });
    }
    await t.http().post('/auth/login').send({ email: person.email, password: person.password }).expect(401);
    const lines = readFileSync(ledger, 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).subjectId)).toEqual([subjectId]);
    expect(readFileSync(ledger, 'utf8')).not.toContain(person.email);
  });

  it('reads an erased subject as [erased] with a stable problem, never a 500', async () => {
    const res = await admin.get(`/users/${subjectId}`).expect(410);
    expect(res.body.type).toBe(ERASED_PROBLEM);
    await admin.patch(`/users/${subjectId}`).send({ displayName: 'Back' }).expect(410);
    const page = await admin.get('/users?pageSize=200').expect(200);
    expect(page.body.items.find((u: { id: string }) => u.id === subjectId)).toMatchObject({
      email: '[erased]',
      phone: '[erased]',
      ssn: '[erased]',
      address: '[erased]',
      displayName: '[erased]',
      status: 'disabled',
    });
    const exported = JSON.parse((await admin.get(`/subjects/${subjectId}/export`).expect(200)).text);
    expect(exported).toMatchObject({ erased: true, profile: { email: '[erased]' } });
    const updates = exported.auditEvents.filter((e: { action: string }) => e.action === 'user.updated');
    expect(updates.map((e: { sensitive: unknown }) => e.sensitive)).toEqual([
      { sealed: '[erased]' },
      { sealed: '[erased]' },
    ]);
    expect(exported.sessions.every((s: { ip: unknown; revokedAt: unknown }) => s.ip === null && s.revokedAt)).toBe(
      true,
    );
    const acted = exported.auditEvents.filter((e: { actorId: string; ip: string | null }) => e.actorId === subjectId);
    expect(acted.length).toBeGreaterThanOrEqual(2);
    for (const event of acted) expect(event).toMatchObject({ ip: '[erased]', userAgent: '[erased]' });
    const listed = await admin.get(`/audit/events?actor=${subjectId}`).expect(200);
    expect(listed.body.items.length).toBeGreaterThanOrEqual(2);
    for (const event of listed.body.items) expect(event).toMatchObject({ ip: '[erased]', userAgent: '[erased]' });
  });

  it('leaves no plaintext anywhere and no ciphertext of theirs that any key opens; the chain verifies', async () => {
    const rows = await everyRow(db);
    const redis = await everyRedisValue(db.name);
    expect(rows.filter((row) => row.includes(subjectId)).length).toBeGreaterThan(5);
    expect(redis.length).toBeGreaterThan(0);
    // Their sessions (sealed JSON keyed by token hash) are gone from Redis with everything naming them.
    expect(redis.filter((value) => value.includes(subjectId))).toEqual([]);
    for (const text of plaintexts) {
      expect(rows.filter((row) => row.includes(text))).toEqual([]);
      expect(redis.filter((value) => value.includes(text))).toEqual([]);
    }
    const [key] = await db.query(`SELECT wrapped, erased_at FROM subject_keys WHERE id = $1`, [subjectId]);
    expect(key).toEqual({ wrapped: null, erased_at: expect.any(Date) });

    const [user] = await db.query<Record<string, string | null>>(
      `SELECT email, phone, ssn, address, display_name, email_index FROM users WHERE id = $1`,
      [subjectId],
    );
    expect(user.email_index).toBe(`erased:${subjectId}`);
    const audit = await db.query<{ id: string; sealed: string }>(
      `SELECT id::text, details->>'sealed' AS sealed FROM audit_events WHERE resource_id = $1 AND details ? 'sealed'`,
      [subjectId],
    );
    expect(audit.length).toBeGreaterThanOrEqual(2);
    // Their origin as an actor: logins, the failed one, the record, the export.
    const origins = await db.query<{ id: string; ip: string; user_agent: string | null }>(
      `SELECT id::text, ip, user_agent FROM audit_events WHERE actor_id = $1 AND ip IS NOT NULL`,
      [subjectId],
    );
    expect(origins.length).toBeGreaterThanOrEqual(4);
    expect(origins.filter((event) => event.user_agent !== null).length).toBe(origins.length);
    // Their IP is the loopback (no trusted proxy in tests): no row naming them holds it in clear.
    expect(rows.filter((row) => row.includes(subjectId) && /127\.0\.0\.1|::1\b/.test(row))).toEqual([]);
    const theirs = [
      ...['email', 'phone', 'ssn', 'address', 'display_name'].map((column) => ({
        stored: user[column] as string,
        row: { table: 'users', column, id: subjectId },
      })),
      ...audit.map((event) => ({
        stored: event.sealed,
        row: { table: 'audit_events', column: 'details', id: event.id },
      })),
      ...origins.flatMap((event) => [
        { stored: event.ip, row: { table: 'audit_events', column: 'ip', id: event.id } },
        { stored: event.user_agent as string, row: { table: 'audit_events', column: 'user_agent', id: event.id } },
      ]),
      ...sessionCiphertexts,
    ];
    const cipher = t.app.get(FieldCipher);
    const keyrings = cipher.keyring.ids.map((id) => createSecretKey(cipher.keyring.key(id) as Buffer));
    const auditKeys = (
      await db.query<{ id: string; wrapped: string }>(`SELECT id::text, wrapped FROM audit_data_keys`)
    ).map(({ id, wrapped }) =>
      createSecretKey(
        Buffer.from(cipher.decryptRow(wrapped, { table: 'audit_data_keys', column: 'wrapped', id }), 'base64'),
      ),
    );
    const opens = (stored: string, row: { table: string; column: string; id: string }, key: KeyObject) => {
      try {
        cipher.decryptForSubject(stored, row, { subjectId, key });
        return true;
      } catch {
        return false;
      }
    };
    for (const { stored, row } of theirs) {
      expect(FieldCipher.subjectOf(stored)).toBe(subjectId);
      expect(() => cipher.decryptRow(stored, row)).toThrow();
      expect([...keyrings, ...auditKeys].filter((key) => opens(stored, row, key))).toEqual([]);
    }
    expect((await admin.get('/audit/verify').expect(200)).body).toMatchObject({ ok: true });
    const [erasure] = await db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE action = 'subject.erased' AND resource_id = $1`,
      [subjectId],
    );
    expect(erasure.details).toEqual({ reason: 'GDPR Art. 17, DPO-1042' });
  });

  it('re-applies the ledger to a backup taken before the erasure before the app is ready', async () => {
    await t.close();
    restored = await createTestDatabase();
    execFileSync('pg_restore', ['--no-owner', '-d', restored.url, dump]);
    const [before] = await restored.query(`SELECT wrapped IS NOT NULL AS has_key FROM subject_keys WHERE id = $1`, [
      subjectId,
    ]);
    expect(before).toEqual({ has_key: true });

    t = await startTestAppOn(restored, environment);
    const ready = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.details.erasures).toMatchObject({ status: 'up', pending: 0 });
    const [after] = await restored.query(
      `SELECT wrapped, email_index FROM subject_keys k JOIN users u USING (id) WHERE id = $1`,
      [subjectId],
    );
    expect(after).toEqual({ wrapped: null, email_index: `erased:${subjectId}` });
    const reapplied = await restored.query(
      `SELECT 1 FROM audit_events WHERE action = 'subject.erasure.reapplied' AND resource_id = $1`,
      [subjectId],
    );
    expect(reapplied).toHaveLength(1);

    const restoredAdmin = await logInAs(t.app, 'admin');
    expect((await restoredAdmin.get(`/users/${subjectId}`).expect(410)).body.type).toBe(ERASED_PROBLEM);
    await t.http().post('/auth/login').send({ email: person.email, password: person.password }).expect(401);
    const rows = await everyRow(restored);
    for (const text of plaintexts) expect(rows.filter((row) => row.includes(text))).toEqual([]);
    expect((await restoredAdmin.get('/audit/verify').expect(200)).body).toMatchObject({ ok: true });
  });
});
