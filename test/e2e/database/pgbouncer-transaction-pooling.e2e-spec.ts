import { SearchIndexer } from '../../../src/modules/search/search-indexer';
import { UsersService } from '../../../src/modules/users/users.service';
import { startTestAppOn, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { aUser } from '../../support/builders/user.builder';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { SparePgBouncer } from '../../support/pgbouncer';
import { complianceCorpus } from '../../support/search-corpus';
import { waitFor } from '../../support/wait-for';

interface PgBouncerClient {
  database: string;
  application_name: string;
}

/**
 * The app's core paths through a real PgBouncer in transaction mode: every statement of the pool
 * goes through it, each transaction possibly on another server connection; LISTEN goes to
 * Postgres directly (DATABASE_DIRECT_URL).
 */
describe('behind PgBouncer in transaction pooling mode', () => {
  let db: TestDatabase;
  let bouncer: SparePgBouncer;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const { hostname, port } = new URL(db.url);
    // Fewer server connections than the two apps' pools together: transactions must share them.
    bouncer = await SparePgBouncer.start({ host: hostname, port: Number(port) }, 4);
    const environment = {
      DATABASE_URL: bouncer.through(db.url),
      DATABASE_DIRECT_URL: db.url,
      OUTBOX_POLL_INTERVAL_MS: '200',
    };
    a = await startTestAppOn(db, environment);
    b = await startTestAppOn(db, environment);
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await bouncer?.stop();
    await db?.drop();
  });

  it('sends the pool through PgBouncer and only the revocation listener around it', async () => {
    const clients = await bouncer.admin<PgBouncerClient>('SHOW CLIENTS');
    const ours = clients.filter((client) => client.database === db.name);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.map((client) => client.application_name)).not.toContain('compliance-kit-revocations');
    const direct = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'compliance-kit-revocations'`,
    );
    expect(direct[0].n).toBe(2);
    const [{ sv }] = await db.query<{ sv: number }>(
      `SELECT count(*)::int AS sv FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'compliance-kit'`,
    );
    expect(sv).toBeLessThanOrEqual(4);
  });

  it('logs in, creates, reads, updates and deletes a record, each change audited and relayed', async () => {
    const analyst = await a.as('analyst');
    const { body: created } = await analyst
      .post('/compliance/records')
      .send(aRecord({ score: 70 }))
      .expect(201);
    expect((await analyst.get(`/compliance/records/${created.id}`).expect(200)).body).toEqual(created);
    await analyst.patch(`/compliance/records/${created.id}`).set('If-Match', '"1"').send({ score: 71 }).expect(200);
    await analyst.delete(`/compliance/records/${created.id}`).set('If-Match', '"2"').expect(204);
    await analyst.get(`/compliance/records/${created.id}`).expect(404);

    const auditor = await b.as('auditor');
    const trail = await auditor.get(`/audit/events?resourceId=${created.id}`).expect(200);
    expect(trail.body.items.map((event: { action: string }) => event.action).sort()).toEqual([
      'compliance.record.created',
      'compliance.record.deleted',
      'compliance.record.updated',
    ]);
    await auditor.get('/audit/verify').expect(200);
    const exported = await auditor.get('/audit/events/export?format=ndjson').expect(200);
    expect(exported.text).toContain(created.id);

    // The relay claims and delivers the record's outbox events through the pooler too.
    const pending = () =>
      db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
          WHERE e.aggregate_id = $1 AND d.status <> 'delivered'`,
        [created.id],
      );
    await waitFor(async () => (await pending())[0].n === 0, 15_000);
  });

  it('imports a bulk batch with COPY inside the request transaction', async () => {
    const analyst = await a.as('analyst');
    const batch = Array.from({ length: 600 }, () => aRecord({ framework: 'SOC2' }));
    const res = await analyst.post('/compliance/records/bulk').send({ records: batch }).expect(201);
    expect(res.body.created).toBe(batch.length);
    const [{ n }] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM compliance_records WHERE framework = 'SOC2'`,
    );
    expect(n).toBe(batch.length);
  });

  it('searches', async () => {
    await a.app.get(SearchIndexer).index(complianceCorpus(5, 200));
    const res = await (await b.as('analyst')).get('/search').query({ q: 'encryption' }).expect(200);
    expect(res.body.total).toBeGreaterThan(0);
  });

  it('enforces a logout on the other replica through the notification LISTENed on the direct connection', async () => {
    const input = aUser();
    await a.app.get(UsersService).create(input);
    const { body } = await a.http().post('/auth/login').send({ email: input.email, password: input.password });
    const status = async (app: TestApp) =>
      (await app.http().get('/auth/session').set('Authorization', `Bearer ${body.token}`)).status;
    expect([await status(a), await status(b)]).toEqual([200, 200]);
    await b.http().post('/auth/logout').set('Authorization', `Bearer ${body.token}`).expect(204);
    await waitFor(async () => (await status(a)) === 401, 2_000);
  });

  it('never sets statement_timeout at connect, which PgBouncer would refuse', () => {
    expect(bouncer.log()).not.toMatch(/unsupported startup parameter/);
  });
});
