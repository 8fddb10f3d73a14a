import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aUser } from '../../support/builders/user.builder';
import { dropQueueKeys, logInAs, startTestAppOn, type AuthenticatedAgent, type TestApp } from '../../support/app';
import { createTestDatabase, type TestDatabase } from '../../support/database';

const ERASED_PROBLEM = '/problems/subject-erased';

/** Two replicas on one database whose subject-key caches would outlive the test without the notification. */
describe('erasure on one replica drops the key cached by the others', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ck-erasure-replicas-'));
  const environment = {
    DATA_DIR: dataDir,
    ERASURE_LEDGER_FILE: join(dataDir, 'erasure-ledger.jsonl'),
    SUBJECT_KEY_CACHE_TTL_MS: '600000',
  };
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let adminA: AuthenticatedAgent;
  let adminB: AuthenticatedAgent;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestAppOn(db, environment);
    b = await startTestAppOn(db, environment);
    adminA = await logInAs(a.app, 'admin');
    adminB = await logInAs(b.app, 'admin');
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
    await dropQueueKeys(db.name);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the other replica answers 410 within moments, not after SUBJECT_KEY_CACHE_TTL_MS', async () => {
    const person = aUser({ displayName: 'Rhea Replicated' });
    const subjectId = (await adminA.post('/users').send(person).expect(201)).body.id as string;
    expect((await adminB.get(`/users/${subjectId}`).expect(200)).body.email).toBe(person.email);

    await adminA.post(`/subjects/${subjectId}/erasure`).send({ reason: 'DPO-77' }).expect(200);

    const deadline = Date.now() + 2_000;
    let res = await adminB.get(`/users/${subjectId}`);
    while (res.status !== 410 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      res = await adminB.get(`/users/${subjectId}`);
    }
    expect(res.status).toBe(410);
    expect(res.body.type).toBe(ERASED_PROBLEM);
  });
});
