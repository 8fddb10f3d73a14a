import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ComplianceRecord } from '../../src/modules/compliance/records/entities/compliance-record.entity';
import type { EncryptionStatusView } from '../../src/modules/encryption/dto/encryption.dto';
import { FieldCipher } from '../../src/modules/encryption/field-cipher';
import { UsersService } from '../../src/modules/users/users.service';
import { logInAs, startTestApp, TestApp } from '../support/app';
import { aRecord } from '../support/builders/compliance-record.builder';
import { aUser } from '../support/builders/user.builder';

const NOTES = 'Interviewed Jane Roe (DPO), home phone +44 20 7946 0958';

/**
 * Row swaps: a ciphertext copied by SQL (as the database superuser) from one row into the same
 * column of another must not decrypt there. No Redis: the upgrade below runs on the in-process
 * job runner, apart from the queues of parallel test files.
 */
describe('ciphertexts bound to their rows', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ REDIS_URL: undefined, ENCRYPTION_ROTATION_BATCH_SIZE: '2' })));
  afterAll(() => t.close());

  const createUser = async (overrides = {}) =>
    (await (await t.as('admin')).post('/users').send(aUser(overrides)).expect(201)).body as { id: string };
  const createRecord = async (overrides = {}) =>
    (await (await t.as('analyst')).post('/compliance/records').send(aRecord(overrides)).expect(201)).body as {
      id: string;
    };
  const copyColumn = (table: string, column: string, from: string, to: string) =>
    t.db.query(`UPDATE ${table} SET ${column} = (SELECT ${column} FROM ${table} WHERE id = $1) WHERE id = $2`, [
      from,
      to,
    ]);
  const tamperEvents = (id: string) =>
    t.db.query<{ details: { fields: { field: string; reason: string }[] } }>(
      `SELECT details FROM audit_events WHERE action = 'encryption.tampered' AND resource_id = $1
       ORDER BY occurred_at, seq`,
      [id],
    );
  const stored = async (table: string, column: string, id: string) =>
    (await t.db.query<Record<string, string>>(`SELECT ${column} AS value FROM ${table} WHERE id = $1`, [id]))[0].value;
  const status = async (): Promise<EncryptionStatusView> =>
    (await (await t.as('admin')).get('/admin/encryption/status').expect(200)).body;

  it.each([
    ['email', 'email'],
    ['ssn', 'ssn'],
  ])(
    'answers 422 record-unreadable with a security event for a users.%s copied from another user',
    async (column, field) => {
      const admin = await t.as('admin');
      const source = await createUser();
      const target = await createUser();
      await copyColumn('users', column, source.id, target.id);

      const single = await admin.get(`/users/${target.id}`).expect(422);
      expect(single.headers['content-type']).toMatch(/problem\+json/);
      expect(single.body.type).toBe('/problems/record-unreadable');
      const list = await admin.get('/users?pageSize=200').expect(200);
      const listed = list.body.items.find((item: { id: string }) => item.id === target.id);
      expect(listed).toEqual({ id: target.id, problem: expect.objectContaining({ status: 422 }) });
      expect(JSON.stringify(list.body)).not.toMatch(/(v2|s1):/);

      const events = await tamperEvents(target.id);
      expect(events.length).toBeGreaterThanOrEqual(2);
      expect(events[0].details.fields).toEqual([expect.objectContaining({ field, reason: 'tampered' })]);
      await admin.get(`/users/${source.id}`).expect(200);
    },
  );

  it('answers 422 record-unreadable with a security event for a compliance_records.evidence_notes copied from another record, alone or listed', async () => {
    const analyst = await t.as('analyst');
    const entityId = `org-swap-${randomBytes(4).toString('hex')}`;
    const source = await createRecord({ entityId, evidenceNotes: NOTES });
    const target = await createRecord({ entityId, evidenceNotes: 'nothing to see' });
    await copyColumn('compliance_records', 'evidence_notes', source.id, target.id);

    const single = await analyst.get(`/compliance/records/${target.id}`).expect(422);
    expect(single.body.type).toBe('/problems/record-unreadable');
    expect(JSON.stringify(single.body)).not.toContain('Jane Roe');
    const page = await analyst.get('/compliance/records').query({ entityId }).expect(200);
    const byId = Object.fromEntries(page.body.items.map((item: { id: string }) => [item.id, item]));
    expect(byId[target.id]).toEqual({ id: target.id, problem: expect.objectContaining({ status: 422 }) });
    expect(byId[source.id]).toMatchObject({ evidenceNotes: NOTES });
    expect((await tamperEvents(target.id)).length).toBeGreaterThanOrEqual(2);
    expect((await analyst.get(`/compliance/records/${source.id}`).expect(200)).body.evidenceNotes).toBe(NOTES);
  });

  it('refuses to write a plaintext that was not sealed for its row (an update keyed by a where clause)', async () => {
    const record = await createRecord({ evidenceNotes: NOTES });
    const before = await stored('compliance_records', 'evidence_notes', record.id);
    const write = t.app
      .get(DataSource)
      .createQueryBuilder()
      .update(ComplianceRecord)
      .set({ evidenceNotes: 'in clear' })
      .where('id = :id', { id: record.id })
      .execute();
    await expect(write).rejects.toThrow(/compliance_records\.evidence_notes written without its row id/);
    expect(await stored('compliance_records', 'evidence_notes', record.id)).toBe(before);
  });

  it('changes the display name of a user whose phone cannot be decrypted, leaving the phone untouched', async () => {
    const self = await logInAs(t.app, 'analyst');
    const other = await createUser({ phone: '+14155550999' });
    await copyColumn('users', 'phone', other.id, self.userId);
    const unreadable = await stored('users', 'phone', self.userId);

    const res = await self.patch(`/users/${self.userId}`).send({ displayName: 'x' }).expect(200);
    expect(res.body).toMatchObject({ id: self.userId, displayName: 'x', phone: null });
    expect(await stored('users', 'phone', self.userId)).toBe(unreadable);
    const read = await t.app.get(UsersService).findById(self.userId);
    expect(read?.displayName).toBe('x');
    expect((await tamperEvents(self.userId)).length).toBeGreaterThanOrEqual(1);

    const replaced = await self.patch(`/users/${self.userId}`).send({ phone: '+14155550100' }).expect(200);
    expect(replaced.body.phone).toBe('+14155550100');
    await self.get(`/users/${self.userId}`).expect(200);
  });

  it('reads v1 values, upgrades them to v2 with a rotation onto the active key, reports counts per version and key, then refuses v1', async () => {
    const cipher = t.app.get(FieldCipher);
    const admin = await t.as('admin');
    const email = `legacy.${randomBytes(4).toString('hex')}@example.com`;
    const legacyEmail = cipher.encrypt(email, 'users.email');
    const [legacy] = await t.db.query<{ id: string }>(
      `INSERT INTO users (email, email_index, phone, role, status, password_hash)
       VALUES ($1, $2, $3, 'analyst', 'active', 'scrypt$1$1$1$AA$AA') RETURNING id`,
      [legacyEmail, cipher.blindIndex(email), cipher.encrypt('+14155550111', 'users.phone')],
    );
    const record = await createRecord({ evidenceNotes: 'replaced below' });
    await t.db.query(`UPDATE compliance_records SET evidence_notes = $1 WHERE id = $2`, [
      cipher.encrypt(NOTES, 'compliance_records.evidence_notes'),
      record.id,
    ]);
    const loginInput = aUser();
    await admin.post('/users').send(loginInput).expect(201);

    expect((await admin.get(`/users/${legacy.id}`).expect(200)).body).toMatchObject({ email, phone: '+14155550111' });
    expect((await admin.get(`/compliance/records/${record.id}`).expect(200)).body.evidenceNotes).toBe(NOTES);
    const before = await status();
    expect(before.legacyEnvelopeAccepted).toBe(true);
    expect(before.rowsByVersion.v1).toBe(3);
    const emails = before.columns.find((c) => c.table === 'users' && c.column === 'email');
    expect(emails?.rowsByVersionAndKey.v1).toEqual({ [before.activeKeyId]: 1 });
    expect(emails?.rowsByVersion.s1).toBeGreaterThan(1);
    expect(before.subjectKeys.pendingValues).toBe(2);

    const run = await admin.post('/admin/encryption/rotate').send({ keyId: before.activeKeyId }).expect(202);
    expect(run.body).toMatchObject({ targetKeyId: before.activeKeyId, targetEnvelope: 'v2' });
    const deadline = Date.now() + 30_000;
    let after = await status();
    while (after.rotation?.status !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await status();
    }
    expect(after.rotation?.status).toBe('completed');
    expect(Object.keys(after.rowsByVersion).sort()).toEqual(['s1', 'v2']);
    expect(after.rowsByVersionAndKey).toEqual({
      v2: { [before.activeKeyId]: after.rowsByKey[before.activeKeyId] },
      s1: { subject: after.rowsByKey.subject },
    });
    for (const column of after.columns) expect(column.rowsByVersion.v1).toBeUndefined();
    expect(after.legacyEnvelopeAccepted).toBe(false);
    expect(after.subjectKeys.pendingValues).toBe(0);
    // Personal data moves under the user's subject key; the legacy row's other values stay under the keyring.
    expect(await stored('users', 'email', legacy.id)).toMatch(new RegExp(`^s1:${legacy.id}:`));
    expect(await stored('compliance_records', 'evidence_notes', record.id)).toMatch(/^v2:/);

    expect((await admin.get(`/users/${legacy.id}`).expect(200)).body).toMatchObject({ email, phone: '+14155550111' });
    expect((await admin.get(`/compliance/records/${record.id}`).expect(200)).body.evidenceNotes).toBe(NOTES);
    expect(await t.app.get(UsersService).findActiveByEmail(email.toUpperCase())).toMatchObject({
      id: legacy.id,
      email,
    });
    await t.http().post('/auth/login').send({ email: loginInput.email, password: loginInput.password }).expect(200);

    await t.db.query(`UPDATE users SET email = $1 WHERE id = $2`, [legacyEmail, legacy.id]);
    await admin.get(`/users/${legacy.id}`).expect(422);
    const [event] = (await tamperEvents(legacy.id)).slice(-1);
    expect(event.details.fields).toEqual([expect.objectContaining({ field: 'email', reason: 'legacy-refused' })]);
  });
});
