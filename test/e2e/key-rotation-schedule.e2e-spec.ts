import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EncryptionStatusView } from '../../src/modules/encryption/dto/encryption.dto';
import { EncryptionClock } from '../../src/modules/encryption/encryption-clock';
import { FieldCipher } from '../../src/modules/encryption/field-cipher';
import { DEV_KEYRING_FILE } from '../../src/modules/encryption/keyring.loader';
import { ScheduledRotationJob } from '../../src/modules/encryption/jobs/scheduled-rotation.job';
import { KeyRotationService } from '../../src/modules/encryption/key-rotation.service';
import { UsersService } from '../../src/modules/users/users.service';
import { dropQueueKeys, startTestAppOn, TestApp } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';

const DAY_MS = 86_400_000;
const USERS = 1_000;

/** Users inserted straight into the table with row-bound values (creating them by API would hash 1,000 passwords). */
async function seedUsers(t: TestApp, count: number): Promise<void> {
  const cipher = t.app.get(FieldCipher);
  const ids = Array.from({ length: count }, () => randomUUID());
  const seal = (column: string) => (value: string, i: number) =>
    cipher.encryptRow(value, { table: 'users', column, id: ids[i] });
  const emails = ids.map((_, i) => `scheduled${i}@example.com`);
  await t.db.query(
    `INSERT INTO users (id, email, email_index, phone, address, role, status, password_hash)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    [
      ids,
      emails.map(seal('email')),
      emails.map((e) => cipher.blindIndex(e)),
      ids.map((_, i) => `+1415556${String(i).padStart(4, '0')}`).map(seal('phone')),
      ids.map((_, i) => `${i} Rotation Rd`).map(seal('address')),
      ids.map(() => 'analyst'),
      ids.map(() => 'active'),
      ids.map(() => 'scrypt$1$1$1$AA$AA'),
    ],
  );
}

describe('scheduled key rotation with a controlled clock (real Postgres and Redis)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ck-scheduled-rotation-'));
  let db: TestDatabase;
  const running: TestApp[] = [];
  let t: TestApp;

  const boot = async () => {
    const app = await startTestAppOn(db, {
      DATA_DIR: dataDir,
      ENCRYPTION_ROTATION_INTERVAL_DAYS: '90',
      ENCRYPTION_ROTATION_BATCH_SIZE: '10',
    });
    running.push(app);
    return app;
  };
  const close = async (app: TestApp) => {
    running.splice(running.indexOf(app), 1);
    await app.close();
  };
  const clockAt = (app: TestApp, at: Date) => jest.spyOn(app.app.get(EncryptionClock), 'now').mockReturnValue(at);
  const check = (app: TestApp) => app.app.get(ScheduledRotationJob).check();
  const status = async (app: TestApp): Promise<EncryptionStatusView> =>
    (await (await app.as('admin')).get('/admin/encryption/status').expect(200)).body;
  const until = async (app: TestApp, predicate: (s: EncryptionStatusView) => boolean) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const current = await status(app);
      if (predicate(current)) return current;
      if (Date.now() > deadline) throw new Error(`timed out; last status ${JSON.stringify(current)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const rotations = async () =>
    db.query<{ id: string; target_key_id: string; status: string; started_by: string; rows_reencrypted: string }>(
      'SELECT id, target_key_id, status, started_by, rows_reencrypted FROM encryption_rotations ORDER BY started_at',
    );
  const keyringFile = () =>
    JSON.parse(readFileSync(join(dataDir, DEV_KEYRING_FILE), 'utf8')) as { active: string; keys: object };
  const activeSince = async (app: TestApp) => new Date((await status(app)).schedule?.activeKeySince as string);

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await boot();
    await seedUsers(t, USERS);
  });
  afterAll(async () => {
    try {
      for (const app of running.reverse()) await app.close();
    } finally {
      await db.drop();
      await dropQueueKeys(db.name);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves a key younger than the interval alone, and reports when it rotates next', async () => {
    const since = await activeSince(t);
    clockAt(t, new Date(since.getTime() + 89 * DAY_MS));

    expect(await check(t)).toBeUndefined();

    expect(await rotations()).toEqual([]);
    const current = await status(t);
    expect(current.activeKeyId).toBe('dev1');
    expect(current.schedule).toEqual({
      intervalDays: 90,
      activeKeySince: since.toISOString(),
      nextRotationAt: new Date(since.getTime() + 90 * DAY_MS).toISOString(),
    });
  });

  it('rotates a key older than the interval once: new key active, every value re-encrypted, audited, measured', async () => {
    const since = await activeSince(t);
    const now = new Date(since.getTime() + 91 * DAY_MS);
    clockAt(t, now);

    const run = await check(t);
    expect(run).toMatchObject({ startedBy: 'schedule', status: 'running' });
    expect(await check(t)).toBeUndefined();

    const done = await until(t, (s) => s.rotation?.status === 'completed');
    const newKey = run?.targetKeyId as string;
    expect(newKey).not.toBe('dev1');
    expect(done.activeKeyId).toBe(newKey);
    // The users' PII moves under their subject keys (`subject`); the keyring's new key wraps those keys.
    expect(Object.keys(done.rowsByKey).sort()).toEqual([newKey, 'subject'].sort());
    expect(done.rowsByKey.subject).toBeGreaterThanOrEqual(USERS * 3);
    expect(done.rowsByKey[newKey]).toBeGreaterThanOrEqual(USERS);
    expect(done.schedule).toMatchObject({
      activeKeySince: now.toISOString(),
      nextRotationAt: new Date(now.getTime() + 90 * DAY_MS).toISOString(),
      lastRun: { id: run?.id, startedBy: 'schedule', status: 'completed' },
    });
    expect(keyringFile()).toMatchObject({ active: newKey });
    expect(Object.keys(keyringFile().keys).sort()).toEqual(['dev1', newKey].sort());
    expect(await t.app.get(UsersService).findActiveByEmail('scheduled777@example.com')).toMatchObject({
      phone: '+14155560777',
      address: '777 Rotation Rd',
    });
    expect(await rotations()).toEqual([expect.objectContaining({ id: run?.id, started_by: 'schedule' })]);

    const events = await db.query<{ actor_id: string; resource_id: string; details: Record<string, unknown> }>(
      `SELECT actor_id, resource_id, details FROM audit_events WHERE action = 'encryption.key.rotated'`,
    );
    expect(events).toEqual([
      expect.objectContaining({
        resource_id: run?.id,
        details: { startedBy: 'schedule', keyId: newKey, previousKeyId: 'dev1' },
      }),
    ]);

    const metrics = (await t.http().get('/metrics').expect(200)).text;
    const lastSuccess = Number(/^encryption_rotation_last_success_timestamp_seconds (\S+)$/m.exec(metrics)?.[1]);
    expect(Math.abs(lastSuccess * 1000 - Date.now())).toBeLessThan(60_000);
    expect(metrics).toMatch(
      new RegExp(`^encryption_rotation_next_scheduled_timestamp_seconds ${(now.getTime() + 90 * DAY_MS) / 1000}$`, 'm'),
    );
  });

  it('starts exactly one rotation when two replicas check at the same moment, and the other learns its key', async () => {
    const replica = await boot();
    const since = await activeSince(t);
    const now = new Date(since.getTime() + 91 * DAY_MS);
    clockAt(t, now);
    clockAt(replica, now);
    const before = (await rotations()).length;

    const results = await Promise.all([check(t), check(replica)]);

    const started = results.filter(Boolean);
    expect(started).toHaveLength(1);
    expect(await rotations()).toHaveLength(before + 1);
    const newKey = started[0]?.targetKeyId as string;
    await until(t, (s) => s.rotation?.status === 'completed');

    const other = results[0] ? replica : t;
    const otherCipher = other.app.get(FieldCipher);
    expect(otherCipher.keyring.activeId).not.toBe(newKey);
    const [subject] = await db.query<{ id: string; wrapped: string }>(
      `SELECT id, wrapped FROM subject_keys WHERE starts_with(wrapped, $1) LIMIT 1`,
      [`v2:${newKey}:`],
    );
    // A miss rereads the keyring file the winner wrote.
    expect(
      otherCipher.decryptRow(subject.wrapped, { table: 'subject_keys', column: 'wrapped', id: subject.id }),
    ).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // Not yet following, it still goes by the database's active key, which is not due.
    const rotation = other.app.get(KeyRotationService);
    expect(await rotation.rotate({ startedBy: 'schedule', activeBefore: now })).toBeUndefined();
    expect(await rotations()).toHaveLength(before + 1);
    await rotation.follow();
    expect(otherCipher.keyring.activeId).toBe(newKey);
    await close(replica);
  });

  it('resumes a scheduled rotation interrupted midway after a restart', async () => {
    const since = await activeSince(t);
    clockAt(t, new Date(since.getTime() + 91 * DAY_MS));
    const run = await check(t);
    expect(run).toBeDefined();
    await until(t, (s) => (s.rotation?.rowsReencrypted ?? 0) > 0);
    await close(t);
    const stopped = (await rotations()).find((r) => r.id === run?.id);
    expect(stopped).toMatchObject({ status: 'running', started_by: 'schedule' });
    expect(Number(stopped?.rows_reencrypted)).toBeLessThan(USERS);

    t = await boot();
    const done = await until(t, (s) => s.rotation?.status === 'completed');
    expect(done.rotation?.id).toBe(run?.id);
    expect(done.activeKeyId).toBe(run?.targetKeyId);
    expect(Object.keys(done.rowsByKey).sort()).toEqual([run?.targetKeyId, 'subject'].sort());
    expect((await rotations()).filter((r) => r.target_key_id === run?.targetKeyId)).toHaveLength(1);
  });
});
