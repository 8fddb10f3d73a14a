import { OutboxRelay } from '../../src/infrastructure/outbox/outbox-relay';
import { SearchIndexer } from '../../src/modules/search/search-indexer';
import { startTestApp, TestApp } from '../support/app';
import { aUser } from '../support/builders/user.builder';
import { aComplianceDocument } from '../support/search-corpus';
import { reindex, searchIndex, storedDocumentSql } from '../support/search-reindex';

describe('audit events in search, fed by the outbox', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  const drain = () => t.app.get(OutboxRelay).drain();
  const search = async (query: Record<string, string>) => searchIndex(await t.as('auditor'), 'audit', query);
  const eventIdsFor = async (resourceId: string) =>
    (
      await t.db.query<{ id: string }>(`SELECT id FROM audit_events WHERE resource_id = $1 ORDER BY occurred_at`, [
        resourceId,
      ])
    ).map((row) => row.id);
  const count = async (sql: string) => (await t.db.query<{ n: number }>(sql))[0].n;

  it('makes an audited request searchable by action, actor role and target type', async () => {
    const { body: user } = await (await t.as('admin')).post('/users').send(aUser()).expect(201);
    await drain();
    const [eventId] = await eventIdsFor(user.id);

    const found = await search({ q: 'user created', action: 'user.created', facets: 'actorRole,targetType' });
    const hit = found.hits.find((h) => h.id === eventId);
    expect(hit).toMatchObject({
      title: 'user.created',
      keywords: { action: 'user.created', actorRole: 'admin', targetType: 'user' },
    });
    expect(found.facets.actorRole).toContainEqual({ value: 'admin', count: found.total });
    expect((await search({ q: user.id })).hits.map((h) => h.id)).toContain(eventId);
  });

  it('indexes security events, which commit apart from their request, the same way', async () => {
    await t.http().post('/auth/login').send({ email: 'nobody@example.com', password: 'not a password' }).expect(401);
    await drain();
    const found = await search({ q: 'login failed', facets: 'actorRole' });
    expect(found.total).toBeGreaterThan(0);
    expect(found.hits[0].keywords).toMatchObject({ action: 'auth.login.failed', targetType: 'none' });
  });

  it('commits every audit event with its outbox row, and indexes details of none', async () => {
    const admin = await t.as('admin');
    const { body: user } = await admin.post('/users').send(aUser()).expect(201);
    await admin.patch(`/users/${user.id}`).send({ role: 'auditor' }).expect(200);
    await drain();
    expect(await count(`SELECT count(*)::int AS n FROM outbox_event_entries WHERE type = 'audit.event.recorded'`)).toBe(
      await count('SELECT count(*)::int AS n FROM audit_events'),
    );
    const [, updated] = await eventIdsFor(user.id);
    const [stored] = await t.db.query<{ row: string }>(storedDocumentSql, ['audit', updated]);
    expect(stored.row).toContain('user updated');
    expect(stored.row).not.toMatch(/before|after|encrypted|127\.0\.0\.1/);
  });

  it('keeps the audit index from analysts, as GET /audit/events does', async () => {
    const response = await (await t.as('analyst')).get('/search').query({ index: 'audit', q: 'user' });
    expect(response.status).toBe(403);
    expect(response.body.type).toBe('/problems/forbidden');
  });

  it('rebuilds the audit index from the trail on reindex', async () => {
    const admin = await t.as('admin');
    await drain();
    const [{ id: lost }] = await t.db.query<{ id: string }>('SELECT id FROM audit_events LIMIT 1');
    await t.db.query(`DELETE FROM search_documents WHERE index_name = 'audit' AND document_id = $1`, [lost]);
    await t.app.get(SearchIndexer).index([aComplianceDocument({ id: 'stray-event', index: 'audit' })]);

    const run = await reindex(admin, 'audit');
    expect(run).toMatchObject({ status: 'completed', failure: null });
    expect(run.processed).toBeGreaterThan(0);
    await drain();
    expect(await t.db.query(`SELECT 1 FROM search_documents WHERE document_id = 'stray-event'`)).toEqual([]);
    expect(
      await count(`SELECT count(*)::int AS n FROM search_documents WHERE index_name = 'audit' AND NOT deleted`),
    ).toBe(await count('SELECT count(*)::int AS n FROM audit_events'));
    expect(
      await t.db.query(`SELECT 1 FROM search_documents WHERE index_name = 'audit' AND document_id = $1`, [lost]),
    ).toHaveLength(1);
  });
});
