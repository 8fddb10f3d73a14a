import { OutboxRelay } from '../../src/infrastructure/outbox/outbox-relay';
import { SearchIndexer } from '../../src/modules/search/search-indexer';
import { startTestApp, TestApp } from '../support/app';
import { aUser, UserInput } from '../support/builders/user.builder';
import { reindex, searchIndex, storedDocumentSql } from '../support/search-reindex';

describe('users in search, fed by the outbox', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  const drain = () => t.app.get(OutboxRelay).drain();
  const search = async (query: Record<string, string>) => searchIndex(await t.as('analyst'), 'users', query);
  const idsFound = async (query: Record<string, string>) => (await search(query)).hits.map((hit) => hit.id);
  const stored = async (id: string) => {
    const rows = await t.db.query<{ row: string }>(storedDocumentSql, ['users', id]);
    return rows[0]?.row;
  };
  const expectNoPii = (text: string, user: UserInput) => {
    for (const secret of [user.email, user.displayName, user.phone, user.ssn, user.address, user.password]) {
      expect(text).not.toContain(secret as string);
    }
    expect(text).not.toMatch(/scrypt|v[12]:/);
  };

  it('indexes a created user by role and status, with no PII in the document or on its way there', async () => {
    const input = aUser({ role: 'auditor', displayName: 'Zebulon Quartermain' });
    const { body: user } = await (await t.as('admin')).post('/users').send(input).expect(201);
    await drain();

    expect(await idsFound({ q: 'auditor', role: 'auditor', status: 'active' })).toContain(user.id);
    expect(await idsFound({ q: 'Zebulon' })).toEqual([]);
    const document = await stored(user.id);
    expect(JSON.parse(document)).toMatchObject({ version: 1, keywords: { role: 'auditor', status: 'active' } });
    expectNoPii(document, input);
    const [outbox] = await t.db.query<{ payload: string }>(
      `SELECT payload::text AS payload FROM outbox_events WHERE type = 'user.created' AND aggregate_id = $1`,
      [user.id],
    );
    expectNoPii(outbox.payload, input);
  });

  it('updates the document when the role changes and when the user is disabled', async () => {
    const admin = await t.as('admin');
    const input = aUser({ role: 'analyst' });
    const { body: user } = await admin.post('/users').send(input).expect(201);
    await admin.patch(`/users/${user.id}`).send({ role: 'service' }).expect(200);
    await drain();
    expect(await idsFound({ q: 'service', role: 'service' })).toContain(user.id);
    expect(await idsFound({ q: 'analyst', role: 'analyst' })).not.toContain(user.id);

    await admin.post(`/users/${user.id}/disable`).expect(200);
    await drain();
    expect(await idsFound({ q: 'disabled', status: 'disabled' })).toContain(user.id);
    expect(await idsFound({ q: 'service', status: 'active' })).not.toContain(user.id);
    const [{ version }] = await t.db.query<{ version: number }>('SELECT version FROM users WHERE id = $1', [user.id]);
    expect(JSON.parse(await stored(user.id))).toMatchObject({ version, keywords: { status: 'disabled' } });
    expectNoPii(await stored(user.id), input);
  });

  it('rebuilds the users index from Postgres on reindex, without decrypting anyone', async () => {
    const admin = await t.as('admin');
    const input = aUser({ role: 'auditor' });
    const { body: user } = await admin.post('/users').send(input).expect(201);
    await drain();
    await t.db.query(`DELETE FROM search_documents WHERE index_name = 'users' AND document_id = $1`, [user.id]);
    await t.db.query(`UPDATE users SET role = 'analyst' WHERE id = $1`, [user.id]);
    await t.app.get(SearchIndexer).index([
      {
        index: 'users',
        id: 'stray-user',
        version: 1,
        title: 'admin user',
        body: 'active',
        keywords: { role: 'admin', status: 'active' },
        occurredAt: new Date().toISOString(),
      },
    ]);

    const run = await reindex(admin, 'users');
    expect(run).toMatchObject({ status: 'completed', failure: null });
    const [{ n: users }] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(run.processed).toBe(users);
    expect(await idsFound({ q: 'analyst', role: 'analyst' })).toContain(user.id);
    expect(await t.db.query(`SELECT 1 FROM search_documents WHERE document_id = 'stray-user'`)).toEqual([]);
    const [{ n: indexed }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM search_documents WHERE index_name = 'users' AND NOT deleted`,
    );
    expect(indexed).toBe(users);
    expectNoPii(await stored(user.id), input);
  });
});
