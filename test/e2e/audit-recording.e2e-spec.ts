import { startTestApp, TestApp } from '../support/app';
import { AuditFixtureModule, WIDGETS_TABLE } from '../support/audit.fixture';
import { aUser } from '../support/builders/user.builder';
import { UsersService } from '../../src/modules/users/users.service';

interface AuditRow {
  actor_id: string;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  severity: string;
  outcome: string;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

describe('audit recording of mutating requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, [AuditFixtureModule]);
    await t.db.query(WIDGETS_TABLE);
  });
  afterAll(() => t.close());

  const appendedCounter = async () => {
    const line = (await t.http().get('/metrics').expect(200)).text
      .split('\n')
      .find((l) => l.startsWith('audit_events_appended_total '));
    return Number(line?.split(' ')[1]);
  };
  const eventCount = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events'))[0].n;

  const rowsFor = (requestId: string) =>
    t.db.query<AuditRow>('SELECT * FROM audit_events WHERE request_id = $1 ORDER BY shard, seq', [requestId]);

  it('records exactly one event per mutating request, with actor, request id, IP, agent and diff', async () => {
    const created = await t
      .http()
      .post('/test-audit/widgets')
      .set('x-request-id', 'req-create-1')
      .set('user-agent', 'audit-spec')
      .send({ name: 'gauge', secret: 'hunter2' })
      .expect(201);
    const [row, ...others] = await rowsFor('req-create-1');
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      actor_id: 'anonymous',
      action: 'widget.created',
      resource_type: 'widget',
      resource_id: String(created.body.id),
      outcome: 'success',
      severity: 'info',
    });
    // IP and user agent are stored sealed, bound to the event (docs/audit.md).
    expect(row.user_agent).toMatch(/^v2:/);
    expect(row.ip).toMatch(/^v2:/);
    expect(row.details).toMatchObject({
      method: 'POST',
      route: '/test-audit/widgets',
      before: { name: null, secret: null },
      after: { name: 'gauge', secret: '[encrypted]' },
    });
  });

  it('shows a changed encrypted field as [encrypted] on both sides of an update, never the plaintext', async () => {
    const { body } = await t.http().post('/test-audit/widgets').send({ name: 'dial', secret: 'old-secret' });
    await t
      .http()
      .patch(`/test-audit/widgets/${body.id}`)
      .set('x-request-id', 'req-update-1')
      .send({ name: 'dial', secret: 'new-secret' })
      .expect(200);
    const rows = await rowsFor('req-update-1');
    expect(rows).toHaveLength(1);
    expect(rows[0].details).toMatchObject({ before: { secret: '[encrypted]' }, after: { secret: '[encrypted]' } });
    expect(JSON.stringify(rows[0].details)).not.toMatch(/(old|new)-secret/);
    expect(Object.keys(rows[0].details.after as object)).toEqual(['secret']);
    expect(rows[0].details.sealed).toMatch(/^v2:/);
  });

  it('records routes without a description under a default action', async () => {
    const { body } = await t.http().post('/test-audit/widgets').send({ name: 'knob' });
    await t.http().delete(`/test-audit/widgets/${body.id}`).set('x-request-id', 'req-delete-1').expect(200);
    expect(await rowsFor('req-delete-1')).toEqual([
      expect.objectContaining({
        action: 'http.delete',
        details: { method: 'DELETE', route: '/test-audit/widgets/:id' },
      }),
    ]);
  });

  it('records nothing for a request that fails and rolls back', async () => {
    await t.http().post('/test-audit/fail').set('x-request-id', 'req-fail-1').expect(500);
    expect(await rowsFor('req-fail-1')).toEqual([]);
    expect(await t.db.query(`SELECT 1 FROM audit_widgets WHERE name = 'doomed'`)).toEqual([]);
  });

  it('records nothing for a request rejected by validation', async () => {
    await t.http().post('/test-audit/widgets').set('x-request-id', 'req-invalid-1').send({ name: 7 }).expect(400);
    expect(await rowsFor('req-invalid-1')).toEqual([]);
  });

  it('records nothing for reads', async () => {
    await t.http().get('/test-audit/widgets').set('x-request-id', 'req-read-1').expect(200);
    expect(await rowsFor('req-read-1')).toEqual([]);
  });

  it('lets a route that records its own events opt out of the automatic one', async () => {
    await t.http().post('/test-audit/self-recorded').set('x-request-id', 'req-self-1').expect(201);
    const rows = await rowsFor('req-self-1');
    expect(rows.map((r) => r.action).sort()).toEqual(['widget.bulk.first', 'widget.bulk.second']);
  });

  it('keeps the security event of a request that fails, with its severity', async () => {
    await t.http().post('/test-audit/forbidden').set('x-request-id', 'req-forbidden-1').expect(403);
    expect(await rowsFor('req-forbidden-1')).toEqual([
      expect.objectContaining({ action: 'auth.forbidden', severity: 'warning', outcome: 'denied' }),
    ]);
  });

  it('records each login security event with its true outcome', async () => {
    const user = aUser({ role: 'analyst' });
    await t.app.get(UsersService).create(user);
    const credentials = { email: user.email, password: user.password };
    await t.http().post('/auth/login').set('x-request-id', 'req-login-ok').send(credentials).expect(200);
    await t
      .http()
      .post('/auth/login')
      .set('x-request-id', 'req-login-bad')
      .send({ ...credentials, password: `${user.password}-wrong` })
      .expect(401);
    const securityEvents = async (requestId: string) =>
      (await rowsFor(requestId)).filter((row) => row.action.startsWith('auth.'));
    expect(await securityEvents('req-login-ok')).toEqual([
      expect.objectContaining({ action: 'auth.login.succeeded', outcome: 'success' }),
    ]);
    expect(await securityEvents('req-login-bad')).toEqual([
      expect.objectContaining({ action: 'auth.login.failed', outcome: 'failure' }),
    ]);
  });

  it('keeps every chain contiguous and verifiable under concurrent requests, some of which fail', async () => {
    const auditor = await t.as('auditor'); // logging in is audited too: do it before counting
    const before = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events');
    const requests = Array.from({ length: 120 }, (_, i) =>
      i % 4 === 0
        ? t.http().post('/test-audit/fail').expect(500)
        : t
            .http()
            .post('/test-audit/widgets')
            .send({ name: `w${i}` })
            .expect(201),
    );
    await Promise.all(requests);
    const [after] = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events');
    expect(Number(after.n) - Number(before[0].n)).toBe(90);
    const gaps = await t.db.query(`
      SELECT shard FROM audit_events GROUP BY shard HAVING max(seq) <> count(*) OR min(seq) <> 1`);
    expect(gaps).toEqual([]);
    const report = await auditor.get('/audit/verify').expect(200);
    expect(report.body).toMatchObject({ ok: true, eventsChecked: Number(after.n) });
  });

  it('counts appended events for the metric only once they commit', async () => {
    const [counterBefore, rowsBefore] = [await appendedCounter(), await eventCount()];
    await t.http().post('/test-audit/widgets').send({ name: 'counted' }).expect(201);
    await t.http().post('/test-audit/self-recorded').expect(201);
    await t.http().post('/test-audit/self-recorded-then-fail').set('x-request-id', 'req-doomed').expect(500);
    await t.http().post('/test-audit/forbidden').expect(403);
    expect(await rowsFor('req-doomed')).toEqual([]);
    const rowsAdded = (await eventCount()) - rowsBefore;
    expect(rowsAdded).toBe(4);
    expect((await appendedCounter()) - counterBefore).toBe(rowsAdded);
  });
});
