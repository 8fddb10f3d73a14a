import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EncryptionStatusView } from '../../../src/modules/encryption/dto/encryption.dto';
import { FieldCipher } from '../../../src/modules/encryption/field-cipher';
import { aUser } from '../../support/builders/user.builder';
import { logInAs, startTestApp, type AuthenticatedAgent, type TestApp } from '../../support/app';

const PII = ['email', 'phone', 'ssn', 'address', 'display_name'];

describe('subject keys under key rotation', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ck-subject-rotation-'));
  let t: TestApp;
  let admin: AuthenticatedAgent;
  // In-process runner: Bull queues of parallel test files stay apart.
  beforeAll(async () => {
    t = await startTestApp({ DATA_DIR: dataDir, REDIS_URL: undefined, ENCRYPTION_ROTATION_BATCH_SIZE: '2' });
    admin = await logInAs(t.app, 'admin');
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const status = async (): Promise<EncryptionStatusView> =>
    (await admin.get('/admin/encryption/status').expect(200)).body;
  const rotated = async (keyId: string) => {
    await admin.post('/admin/encryption/rotate').send({ keyId }).expect(202);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const current = await status();
      if (current.rotation?.status === 'completed') return current;
      if (Date.now() > deadline) throw new Error(`rotation did not complete: ${JSON.stringify(current.rotation)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const row = async (id: string) =>
    (await t.db.query<Record<string, string | null>>(`SELECT * FROM users WHERE id = $1`, [id]))[0];

  it("rewraps every subject key onto the new key and leaves the subjects' ciphertexts byte for byte", async () => {
    const person = aUser();
    const { id } = (await admin.post('/users').send(person).expect(201)).body;
    const before = await row(id);
    const rotation = await rotated('k-next');

    const [key] = await t.db.query<{ wrapped: string }>(`SELECT wrapped FROM subject_keys WHERE id = $1`, [id]);
    expect(key.wrapped.startsWith('v2:k-next:')).toBe(true);
    const after = await row(id);
    for (const column of PII) expect(after[column]).toBe(before[column]);
    expect(rotation.subjectKeys).toMatchObject({ activeKeys: 2, erasedKeys: 0, pendingValues: 0 });
    expect((await admin.get(`/users/${id}`).expect(200)).body).toMatchObject({ email: person.email, ssn: person.ssn });
  });

  it("moves a keyring value under its subject's key, and one of an erased subject under no key at all", async () => {
    const cipher = t.app.get(FieldCipher);
    const kept = (await admin.post('/users').send(aUser()).expect(201)).body.id as string;
    const erased = (await admin.post('/users').send(aUser()).expect(201)).body.id as string;
    await admin.post(`/subjects/${erased}/erasure`).send({ reason: 'DPO-7' }).expect(200);
    // As a backup from before subject keys would hold them: row-bound values under the keyring.
    for (const id of [kept, erased]) {
      await t.db.query(`UPDATE users SET ssn = $1 WHERE id = $2`, [
        cipher.encryptRow('111-22-3333', { table: 'users', column: 'ssn', id }),
        id,
      ]);
    }
    expect((await status()).subjectKeys.pendingValues).toBe(2);

    const done = await rotated(cipher.keyring.activeId);
    expect(done.subjectKeys).toMatchObject({ pendingValues: 0, erasedKeys: 1 });
    expect((await row(kept)).ssn).toMatch(new RegExp(`^s1:${kept}:`));
    expect((await admin.get(`/users/${kept}`).expect(200)).body.ssn).toBe('111-22-3333');
    const shredded = (await row(erased)).ssn as string;
    expect(shredded).toMatch(new RegExp(`^s1:${erased}:`));
    expect(() => cipher.decryptRow(shredded, { table: 'users', column: 'ssn', id: erased })).toThrow();
    await admin.get(`/users/${erased}`).expect(410);
  });

  it('erases a user whose PII is still under the keyring by moving it under their key first', async () => {
    const cipher = t.app.get(FieldCipher);
    const id = (await admin.post('/users').send(aUser()).expect(201)).body.id as string;
    await t.db.query(`DELETE FROM subject_keys WHERE id = $1`, [id]);
    for (const column of PII) {
      await t.db.query(`UPDATE users SET ${column} = $1 WHERE id = $2`, [
        cipher.encryptRow(`old ${column}`, { table: 'users', column, id }),
        id,
      ]);
    }
    await admin.post(`/subjects/${id}/erasure`).send({ reason: 'DPO-8' }).expect(200);

    const after = await row(id);
    for (const column of PII) {
      expect(after[column]).toMatch(new RegExp(`^s1:${id}:`));
      expect(() => cipher.decryptRow(after[column] as string, { table: 'users', column, id })).toThrow();
    }
    await admin.get(`/users/${id}`).expect(410);
  });
});
