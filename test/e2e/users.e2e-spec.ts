import { DataSource } from 'typeorm';
import { UsersService } from '../../src/modules/users/users.service';
import { startTestApp, TestApp } from '../support/app';
import { aUser } from '../support/builders/user.builder';

describe('users', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  const create = async (overrides = {}) => {
    const body = aUser(overrides);
    const res = await (await t.as('admin')).post('/users').send(body).expect(201);
    return { body, user: res.body };
  };
  const stored = (id: string) =>
    t.db.query<Record<string, string | null>>('SELECT * FROM users WHERE id = $1', [id]).then((rows) => rows[0]);

  it("stores every PII column as a row-bound ciphertext under the user's subject key and returns it in clear to an admin", async () => {
    const { body, user } = await create();
    const row = await stored(user.id);
    for (const column of ['email', 'phone', 'ssn', 'address', 'display_name']) {
      expect(row[column]).toMatch(new RegExp(`^s1:${user.id}:[\\w-]+$`));
    }
    const [key] = await t.db.query<{ wrapped: string }>('SELECT wrapped FROM subject_keys WHERE id = $1', [user.id]);
    expect(key.wrapped).toMatch(/^v2:[\w-]+:[\w-]+$/);
    expect(JSON.stringify(row)).not.toContain(body.email);
    expect(row.email_index).toMatch(/^[0-9a-f]{64}$/);
    const read = await t.app.get(UsersService).findById(user.id);
    expect(read).toMatchObject({
      email: body.email,
      phone: body.phone,
      ssn: body.ssn,
      address: body.address,
      displayName: body.displayName,
    });
    const res = await (await t.as('admin')).get(`/users/${user.id}`).expect(200);
    expect(res.body).not.toHaveProperty('passwordHash');
    expect(JSON.stringify(res.body)).not.toContain('scrypt');
  });

  it('keeps null optional columns null', async () => {
    const { user } = await create({ phone: undefined, ssn: undefined, address: undefined, displayName: undefined });
    const row = await stored(user.id);
    expect([row.phone, row.ssn, row.address, row.display_name]).toEqual([null, null, null, null]);
    const read = await t.app.get(UsersService).findById(user.id);
    expect(read).toMatchObject({ phone: null, ssn: null, address: null, displayName: null });
  });

  it.each([
    ['email', { email: 'not-an-email' }],
    ['phone', { phone: '555-CALL-NOW' }],
    ['ssn', { ssn: '123456789' }],
  ])('rejects an invalid %s with 400 problem+json', async (field, overrides) => {
    const res = await (await t.as('admin')).post('/users').send(aUser(overrides)).expect(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  it('answers 409 for an email an active user already has, whatever its case', async () => {
    const { body } = await create();
    const res = await (
      await t.as('admin')
    )
      .post('/users')
      .send(aUser({ email: ` ${body.email.toUpperCase()} ` }))
      .expect(400);
    expect(res.body.type).toBe('/problems/validation');
    const dup = await (
      await t.as('admin')
    )
      .post('/users')
      .send(aUser({ email: body.email.toUpperCase() }))
      .expect(409);
    expect(dup.body.type).toBe('/problems/duplicate-email');
  });

  it('allows the email again once its holder is disabled', async () => {
    const { body, user } = await create();
    await (await t.as('admin')).post(`/users/${user.id}/disable`).expect(200);
    await (
      await t.as('admin')
    )
      .post('/users')
      .send(aUser({ email: body.email }))
      .expect(201);
  });

  it('finds a user by email through the partial blind-index index, not a scan', async () => {
    const { body } = await create();
    const found = await t.app.get(UsersService).findActiveByEmail(` ${body.email.toUpperCase()}`);
    expect(found?.email).toBe(body.email);
    const runner = t.app.get(DataSource).createQueryRunner();
    try {
      // A handful of rows makes a sequential scan cheapest; the question is whether the index is usable.
      await runner.query('SET enable_seqscan = off');
      const plan: { 'QUERY PLAN': string }[] = await runner.query(
        `EXPLAIN SELECT * FROM users WHERE email_index = $1 AND status = 'active'`,
        [found?.emailIndex],
      );
      expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain('Index Scan using idx_users_email_active');
    } finally {
      await runner.release();
    }
  });

  it('lists with pagination', async () => {
    await create();
    await create();
    const res = await (await t.as('admin')).get('/users?page=1&pageSize=2').expect(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.total).toBeGreaterThanOrEqual(2);
    expect(res.body).toMatchObject({ page: 1, pageSize: 2 });
  });

  it('turns a tampered ciphertext into a per-record problem, keeps the listing and records a security event', async () => {
    const { user } = await create();
    const record = jest.spyOn(t.app.get(UsersService)['securityEvents'], 'record');
    await t.db.query(`UPDATE users SET ssn = email WHERE id = $1`, [user.id]);

    const single = await (await t.as('admin')).get(`/users/${user.id}`).expect(422);
    expect(single.headers['content-type']).toMatch(/problem\+json/);
    expect(single.body.type).toBe('/problems/record-unreadable');

    const list = await (await t.as('admin')).get('/users?pageSize=200').expect(200);
    const broken = list.body.items.find((item: { id: string }) => item.id === user.id);
    expect(broken.problem).toMatchObject({ type: '/problems/record-unreadable', status: 422 });
    expect(list.body.items.filter((item: { email?: string }) => item.email).length).toBeGreaterThan(0);
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'encryption.tampered', resourceId: user.id, severity: 'critical' }),
    );
  });
});

describe('users in the audit trail', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('records creation, updates and disabling, with PII shown only as [encrypted]', async () => {
    const body = aUser();
    const admin = await t.as('admin');
    const { body: user } = await admin.post('/users').send(body).expect(201);
    await admin.patch(`/users/${user.id}`).send({ phone: '+442079460999' }).expect(200);
    await admin.post(`/users/${user.id}/disable`).expect(200);

    const events = await t.db.query<{
      action: string;
      actor_id: string;
      actor_role: string;
      details: Record<string, unknown>;
    }>(
      `SELECT e.action, e.actor_id, u.role AS actor_role, e.details FROM audit_events e
         LEFT JOIN users u ON u.id::text = e.actor_id
        WHERE e.resource_type = 'user' AND e.resource_id = $1 ORDER BY e.occurred_at, e.seq`,
      [user.id],
    );
    expect(events.map((e) => e.actor_role)).toEqual(['admin', 'admin', 'admin']);
    expect(events.map((e) => e.action)).toEqual(['user.created', 'user.updated', 'user.disabled']);
    expect(events[1].details).toMatchObject({ before: { phone: '[encrypted]' }, after: { phone: '[encrypted]' } });
    expect(events[2].details).toMatchObject({ before: { status: 'active' }, after: { status: 'disabled' } });
    const stored = JSON.stringify(events);
    for (const secret of [body.email, body.phone, body.ssn, body.address, '+442079460999', body.password]) {
      expect(stored).not.toContain(secret);
    }
  });
});
