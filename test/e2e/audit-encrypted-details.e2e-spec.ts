import { randomBytes } from 'node:crypto';
import { startTestApp, TestApp } from '../support/app';
import { encryptionKeysJson } from '../support/builders/keyring.builder';
import { aUser } from '../support/builders/user.builder';
import { waitFor } from '../support/wait-for';

/**
 * The PII-bearing parts of audit events (IP, user agent, old and new values of encrypted fields)
 * are stored sealed under audit data keys; the chain hashes the ciphertext and verifies without a
 * key, auditors read the values in clear, and key rotation rewraps the data keys.
 */
describe('encrypted audit details', () => {
  let t: TestApp;
  const marker = randomBytes(5).toString('hex');
  const before = { email: `old-${marker}@example.com`, phone: '+14155550101', ssn: '123-45-6789' };
  const after = { email: `new-${marker}@example.com`, phone: '+14155550199' };
  const needles = [before.email, after.email, before.phone, after.phone, before.ssn];
  let userId: string;

  const auditRowText = async () =>
    (await t.db.query<{ row: string }>(`SELECT to_jsonb(a)::text AS row FROM audit_events a`)).map((r) => r.row);
  const eventsOf = async (resourceId: string) => {
    const auditor = await t.as('auditor');
    return (await auditor.get('/audit/events').query({ resourceId }).expect(200)).body.items as {
      action: string;
      details: Record<string, unknown>;
      sensitive: Record<string, Record<string, unknown>> | null;
    }[];
  };

  beforeAll(async () => {
    t = await startTestApp({
      ENCRYPTION_KEYS: encryptionKeysJson(['k1', 'k2'], 'k1'),
      BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    });
    const admin = await t.as('admin');
    const created = await admin
      .post('/users')
      .send({ ...aUser(), email: before.email, phone: before.phone, ssn: before.ssn })
      .expect(201);
    userId = created.body.id;
    await admin.patch(`/users/${userId}`).send(after).expect(200);
  });
  afterAll(() => t.close());

  it('stores no plaintext old or new value of an encrypted field, only placeholders and a sealed part', async () => {
    for (const row of await auditRowText()) {
      for (const needle of needles) expect(row).not.toContain(needle);
    }
    const [updated] = await t.db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE resource_id = $1 AND action = 'user.updated'`,
      [userId],
    );
    expect(updated.details).toMatchObject({
      before: { email: '[encrypted]', phone: '[encrypted]' },
      after: { email: '[encrypted]', phone: '[encrypted]' },
      // A user is a data subject: their details are sealed under their own key, which erasure destroys.
      sealed: expect.stringMatching(new RegExp(`^s1:${userId}:`)),
    });
  });

  it('shows an auditor the old and new values, and never a password hash', async () => {
    const updated = (await eventsOf(userId)).find((event) => event.action === 'user.updated');
    expect(updated?.sensitive).toEqual({
      before: { email: before.email, phone: before.phone },
      after: { email: after.email, phone: after.phone },
    });
    expect(updated?.details).not.toHaveProperty('sealed');
    const created = (await eventsOf(userId)).find((event) => event.action === 'user.created');
    expect(created?.sensitive?.after).toMatchObject({ email: before.email, ssn: before.ssn });
    expect(created?.details.after).toMatchObject({ passwordHash: '[encrypted]' });
    expect(JSON.stringify(created?.sensitive)).not.toMatch(/passwordHash|scrypt/);
  });

  it('keeps the chain verifying over the ciphertext, and audit search on its plaintext fields', async () => {
    const admin = await t.as('admin');
    expect((await admin.get('/audit/verify').expect(200)).body).toMatchObject({ ok: true });
    const auditor = await t.as('auditor');
    const search = async (q: string) => (await auditor.get('/search').query({ index: 'audit', q }).expect(200)).body;
    await waitFor(async () => (await search('user updated')).hits.length > 0, 20_000);
    expect((await search(after.email)).hits).toEqual([]);
  });

  it('rewraps the data keys on rotation, so the old keyring key retires and the trail stays readable', async () => {
    const admin = await t.as('admin');
    await admin.post('/admin/encryption/rotate').send({ keyId: 'k2' }).expect(202);
    await waitFor(
      async () => (await admin.get('/admin/encryption/status').expect(200)).body.rotation?.status === 'completed',
      20_000,
    );
    const wrapped = await t.db.query<{ wrapped: string }>('SELECT wrapped FROM audit_data_keys');
    expect(wrapped.length).toBeGreaterThanOrEqual(2);
    for (const row of wrapped) expect(row.wrapped).toMatch(/^v2:k2:/);
    await admin.post('/admin/encryption/retire/k1').expect(204);

    const updated = (await eventsOf(userId)).find((event) => event.action === 'user.updated');
    expect(updated?.sensitive?.after).toEqual({ email: after.email, phone: after.phone });
    expect((await admin.get('/audit/verify').expect(200)).body).toMatchObject({ ok: true });
  });

  it('reads a tampered sealed value as [unreadable], never a 500, and verify names the row', async () => {
    const [row] = await t.db.query<{ id: string; details: { sealed: string } }>(
      `SELECT id, details FROM audit_events WHERE resource_id = $1 AND action = 'user.updated'`,
      [userId],
    );
    const forged = `${row.details.sealed.slice(0, -4)}AAAA`;
    // Triggers off, as a superuser can: the envelope is base64url and a uuid, safe to inline.
    await t.db.query(
      `SET session_replication_role = replica;
       UPDATE audit_events SET details = jsonb_set(details, '{sealed}', to_jsonb('${forged}'::text)) WHERE id = '${row.id}'`,
    );

    const updated = (await eventsOf(userId)).find((event) => event.action === 'user.updated');
    expect(updated?.sensitive).toEqual({ sealed: '[unreadable]' });
    const report = (await (await t.as('admin')).get('/audit/verify').expect(200)).body;
    expect(report).toMatchObject({ ok: false, firstBroken: { reason: 'hash_mismatch' } });
  });
});
