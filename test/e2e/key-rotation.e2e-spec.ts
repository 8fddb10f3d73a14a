import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ComplianceRecordsService } from '../../src/modules/compliance/records/compliance-records.service';
import type { EncryptionStatusView } from '../../src/modules/encryption/dto/encryption.dto';
import { FieldCipher } from '../../src/modules/encryption/field-cipher';
import { UnreadableValue } from '../../src/modules/encryption/encrypted-column.decorator';
import { UsersService } from '../../src/modules/users/users.service';
import { logInAs, startTestAppOn, TestApp } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';

const USERS = 10_000;
const RECORDS = 300;
/**
 * Under the keyring: one value per record, the audit trail's data keys for this month and the next
 * (the events themselves are sealed under those, never rewritten) and one subject key per user with
 * a sealed value. Four values per seeded user (v1) are personal data the rotation moves under subject
 * keys; the admin who calls the API has seven there already: five PII columns (display name too) and
 * their session's IP and metadata (supertest sends no user agent).
 */
const KEYRING_WRITTEN = 2 + 1;
const ADMIN_VALUES = 5 + 2;
const PERSONAL = USERS * 4 + ADMIN_VALUES;

/** Inserts users straight into the table, encrypted with the app's cipher (creating them by API would hash 10,000 passwords). */
async function seedUsers(app: NestFastifyApplication, db: TestDatabase, count: number): Promise<void> {
  const cipher = app.get(FieldCipher);
  for (let start = 0; start < count; start += 2_000) {
    const ids = Array.from({ length: Math.min(2_000, count - start) }, (_, i) => start + i);
    const emails = ids.map((i) => `user${i}@example.com`);
    await db.query(
      `INSERT INTO users (email, email_index, phone, ssn, address, role, status, password_hash)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      [
        emails.map((e) => cipher.encrypt(e, 'users.email')),
        emails.map((e) => cipher.blindIndex(e)),
        ids.map((i) => cipher.encrypt(`+1415555${String(i).padStart(4, '0')}`, 'users.phone')),
        ids.map(() => cipher.encrypt('123-45-6789', 'users.ssn')),
        ids.map((i) => cipher.encrypt(`${i} Main St`, 'users.address')),
        ids.map(() => 'analyst'),
        ids.map(() => 'active'),
        ids.map(() => 'scrypt$1$1$1$AA$AA'),
      ],
    );
  }
}

/** Compliance records with evidence notes, encrypted with the app's cipher. */
async function seedRecords(app: NestFastifyApplication, db: TestDatabase, count: number): Promise<void> {
  const cipher = app.get(FieldCipher);
  const notes = Array.from({ length: count }, (_, i) => `Evidence ${i}: interviewed Jane Roe`);
  await db.query(
    `INSERT INTO compliance_records (id, entity_id, framework, control_id, status, score, assessed_at, evidence_notes)
     SELECT gen_random_uuid(), 'org-1', 'GDPR', 'Art.32', 'passed', 90, now(), n FROM unnest($1::text[]) AS n`,
    [notes.map((note) => cipher.encrypt(note, 'compliance_records.evidence_notes'))],
  );
}

describe('key rotation on real Postgres', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ck-rotation-'));
  let db: TestDatabase;
  let t: TestApp | undefined;

  // No Redis: sessions then live in Postgres, so the admin's token survives the restart below.
  const boot = () =>
    startTestAppOn(db, { REDIS_URL: undefined, DATA_DIR: dataDir, ENCRYPTION_ROTATION_BATCH_SIZE: '50' });
  let adminToken: string;
  const server = () => (t as TestApp).http();
  const http = () => ({
    get: (url: string) => server().get(url).set('Authorization', `Bearer ${adminToken}`),
    post: (url: string) => server().post(url).set('Authorization', `Bearer ${adminToken}`),
  });
  const status = async (): Promise<EncryptionStatusView> =>
    (await http().get('/admin/encryption/status').expect(200)).body;
  const until = async (predicate: (s: EncryptionStatusView) => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await status();
      if (predicate(current)) return current;
      if (Date.now() > deadline) throw new Error(`timed out; last status ${JSON.stringify(current)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await boot();
    await seedUsers(t.app, db, USERS);
    await seedRecords(t.app, db, RECORDS);
    adminToken = (await logInAs(t.app, 'admin')).token;
  });
  afterAll(async () => {
    try {
      await t?.close();
    } finally {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('moves every encrypted value (users, record evidence notes) to the new key, resuming after a stop midway, and keeps all readable', async () => {
    const before = await status();
    expect(before.activeKeyId).toBe('dev1');
    expect(before.rowsByKey).toEqual({ dev1: USERS * 4 + RECORDS + KEYRING_WRITTEN, subject: ADMIN_VALUES });
    // Seeded as v1 (column AAD), the admin's own values under their subject key (s1), the rest as v2 (row-bound).
    expect(before.rowsByVersion).toEqual({ v1: USERS * 4 + RECORDS, v2: KEYRING_WRITTEN, s1: ADMIN_VALUES });
    expect(before.subjectKeys).toEqual({
      activeKeys: 1,
      erasedKeys: 0,
      sealedValues: ADMIN_VALUES,
      pendingValues: USERS * 4,
    });

    const rotation = await http().post('/admin/encryption/rotate').send({ keyId: 'k2' }).expect(202);
    expect(rotation.body).toMatchObject({ targetKeyId: 'k2', status: 'running' });
    const refused = await http().post('/admin/encryption/retire/dev1').expect(409);
    expect(refused.body.type).toBe('/problems/key-in-use');

    await until((s) => (s.rotation?.rowsReencrypted ?? 0) > 0);
    await (t as TestApp).close();
    t = undefined;
    const [stopped] = await db.query<{ status: string; rows_reencrypted: string }>(
      'SELECT status, rows_reencrypted FROM encryption_rotations',
    );
    expect(stopped.status).toBe('running');
    expect(Number(stopped.rows_reencrypted)).toBeLessThan(USERS * 4);

    t = await boot();
    const { app } = t;
    const done = await until((s) => s.rotation?.status === 'completed');
    expect(done.activeKeyId).toBe('k2');
    // Every seeded user now has a subject key (wrapped under k2, like the admin's, which was rewrapped).
    const keyring = RECORDS + KEYRING_WRITTEN + USERS;
    expect(done.rowsByKey).toEqual({ k2: keyring, subject: PERSONAL });
    expect(done.rowsByVersionAndKey).toEqual({ v2: { k2: keyring }, s1: { subject: PERSONAL } });
    expect(done.subjectKeys).toEqual({
      activeKeys: USERS + 1,
      erasedKeys: 0,
      sealedValues: PERSONAL,
      pendingValues: 0,
    });
    expect(done.rotation).toMatchObject({ targetEnvelope: 'v2' });
    for (const column of done.columns) {
      expect(Object.keys(column.rowsByKey).filter((key) => key !== 'k2' && key !== 'subject')).toEqual([]);
    }

    const users = app.get(UsersService);
    const page = await users.list({ page: 1, pageSize: 200 });
    expect(page.items.every((item) => 'email' in item)).toBe(true);
    const sample = await users.findActiveByEmail('user4321@example.com');
    expect(sample).toMatchObject({ email: 'user4321@example.com', phone: '+14155554321', address: '4321 Main St' });
    const all = await db.query<{ id: string }>('SELECT id FROM users');
    for (const { id } of all.slice(0, 500)) {
      const user = await users.findById(id);
      expect([user?.email, user?.phone, user?.ssn, user?.address].some((v) => v instanceof UnreadableValue)).toBe(
        false,
      );
    }

    const notes = done.columns.find((c) => c.table === 'compliance_records' && c.column === 'evidence_notes');
    expect(notes?.rowsByKey).toEqual({ k2: RECORDS });
    const [record] = await db.query<{ id: string }>('SELECT id FROM compliance_records ORDER BY id LIMIT 1');
    const { body } = await app.get(ComplianceRecordsService).get(record.id);
    expect(JSON.parse(body).evidenceNotes).toMatch(/^Evidence \d+: interviewed Jane Roe$/);

    await http().post('/admin/encryption/retire/dev1').expect(204);
    expect((await status()).keyIds).toEqual(['k2']);
    await http().post('/admin/encryption/retire/k2').expect(409);
  });

  it('refuses to retire a key that is not in the keyring', async () => {
    const res = await http().post('/admin/encryption/retire/nope').expect(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});
