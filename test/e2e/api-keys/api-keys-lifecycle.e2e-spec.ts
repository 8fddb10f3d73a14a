import { startTestApp, startTestReplica, TestApp } from '../../support/app';
import { anApiKey } from '../../support/builders/api-key.builder';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { waitFor } from '../../support/wait-for';

/**
 * The life of a machine client's key across two replicas: created by an admin, used for bulk
 * ingest, rotated with an overlap, revoked, and refused everywhere at once.
 */
describe('API key lifecycle on two replicas', () => {
  let primary: TestApp;
  let replica: TestApp;
  beforeAll(async () => {
    primary = await startTestApp();
    replica = await startTestReplica(primary);
  });
  afterAll(async () => {
    await replica.close();
    await primary.close();
  });

  const session = (t: TestApp, secret: string) => t.http().get('/auth/session').set('X-API-Key', secret);
  const bulk = (t: TestApp, secret: string, count = 3) =>
    t
      .http()
      .post('/compliance/records/bulk')
      .set('Authorization', `Bearer ${secret}`)
      .send({ records: Array.from({ length: count }, () => aRecord()) });
  const auditOf = (keyId: string, action: string) =>
    primary.db.query<{ actor_id: string; details: Record<string, unknown> }>(
      'SELECT actor_id, details FROM audit_events WHERE actor_id = $1 AND action = $2',
      [keyId, action],
    );

  it('creates a key, ingests with it, rotates with an overlap and revokes it on every replica', async () => {
    const admin = await primary.as('admin');
    const created = await admin
      .post('/api-keys')
      .send(anApiKey({ name: 'ci-pipeline', role: 'analyst' }))
      .expect(201);
    const { secret: first, key } = created.body;
    expect(first).toMatch(/^ck_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}$/);
    expect(key).toMatchObject({ name: 'ci-pipeline', role: 'analyst', status: 'active', createdBy: admin.userId });
    expect(first.startsWith(key.prefix)).toBe(true);
    const [stored] = await primary.db.query<{ secret_hash: Buffer }>(
      'SELECT secret_hash FROM api_key_secrets WHERE key_id = $1',
      [key.id],
    );
    expect(stored.secret_hash).toHaveLength(32);
    expect(JSON.stringify(await primary.db.query('SELECT * FROM api_keys'))).not.toContain(first.slice(21));

    const ingested = await bulk(primary, first, 25).expect(201);
    expect(ingested.body.created).toBe(25);
    const [ingestEvent] = await auditOf(key.id, 'compliance.record.bulk-created');
    expect(ingestEvent.details).toMatchObject({ actorRole: 'analyst', actorKind: 'api-key', created: 25 });
    await bulk(replica, first).expect(201);

    const rotated = await admin.post(`/api-keys/${key.id}/rotate`).send({ overlapSeconds: 2 }).expect(200);
    const second: string = rotated.body.secret;
    expect(second).not.toBe(first);
    expect(rotated.body.key.previousSecrets).toEqual([{ prefix: key.prefix, expiresAt: expect.any(String) }]);
    for (const t of [primary, replica]) {
      await bulk(t, first).expect(201);
      await bulk(t, second).expect(201);
    }
    const old = await session(replica, first).expect(200);
    expect(old.body).toMatchObject({ kind: 'api-key', keyId: key.id, prefix: key.prefix });
    expect(Date.parse(old.body.secretExpiresAt)).toBe(Date.parse(rotated.body.key.previousSecrets[0].expiresAt));
    expect((await session(primary, second).expect(200)).body.secretExpiresAt).toBeNull();

    await waitFor(async () => (await session(replica, first)).status === 401, 5_000);
    await bulk(primary, first).expect(401);
    await bulk(replica, second).expect(201);

    await admin.delete(`/api-keys/${key.id}`).expect(204);
    // No waiting: every replica reads the key from Postgres on every request.
    for (const t of [replica, primary]) {
      const refused = await bulk(t, second).expect(401);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      expect(refused.body).toMatchObject({ type: '/problems/unauthenticated', status: 401 });
      await session(t, second).expect(401);
    }
    const listed = (await admin.get('/api-keys').expect(200)).body as { id: string; status: string }[];
    expect(listed.find((k) => k.id === key.id)?.status).toBe('revoked');
    const events = await primary.db.query<{ resource_id: string; details: { reason: string } }>(
      `SELECT resource_id, details FROM audit_events WHERE action = 'auth.unauthenticated' AND resource_id = $1`,
      [key.id],
    );
    expect(events.map((e) => e.details.reason).sort()).toEqual(
      ['revoked', 'revoked', 'revoked', 'revoked', 'secret-expired', 'secret-expired'].sort(),
    );
  });

  it('lists keys with prefix, name, role, creation, last use and expiry, never a secret or hash', async () => {
    const admin = await primary.as('admin');
    const expiresAt = '2031-01-01T00:00:00.000Z';
    const { body } = await admin
      .post('/api-keys')
      .send(anApiKey({ role: 'service', expiresAt }))
      .expect(201);
    const before = (await admin.get(`/api-keys/${body.key.id}`).expect(200)).body;
    expect(before.lastUsedAt).toBeNull();
    await session(replica, body.secret).expect(200);
    const listed = ((await admin.get('/api-keys').expect(200)).body as Record<string, unknown>[]).find(
      (k) => k.id === body.key.id,
    );
    expect(listed).toEqual({
      id: body.key.id,
      name: body.key.name,
      role: 'service',
      prefix: body.key.prefix,
      status: 'active',
      createdAt: body.key.createdAt,
      createdBy: admin.userId,
      lastUsedAt: expect.any(String),
      expiresAt,
      allowedCidrs: [],
      revokedAt: null,
      previousSecrets: [],
    });
    expect(JSON.stringify(listed)).not.toContain(body.secret.slice(21));
  });

  it('records last use at most once a minute per key, not on every request', async () => {
    const admin = await primary.as('admin');
    const { body } = await admin.post('/api-keys').send(anApiKey()).expect(201);
    const lastUsed = async () =>
      (await primary.db.query<{ at: Date }>('SELECT last_used_at AS at FROM api_keys WHERE id = $1', [body.key.id]))[0]
        .at;
    await session(primary, body.secret).expect(200);
    const first = await lastUsed();
    for (let i = 0; i < 5; i++) await session(i % 2 ? primary : replica, body.secret).expect(200);
    expect(await lastUsed()).toEqual(first);
  });

  it('ends old secrets at once when a rotation asks for no overlap, and refuses to rotate a revoked key', async () => {
    const admin = await primary.as('admin');
    const { body } = await admin.post('/api-keys').send(anApiKey()).expect(201);
    const rotated = await admin.post(`/api-keys/${body.key.id}/rotate`).send({ overlapSeconds: 0 }).expect(200);
    await session(replica, body.secret).expect(401);
    await session(replica, rotated.body.secret).expect(200);
    const defaulted = await admin.post(`/api-keys/${body.key.id}/rotate`).expect(200);
    const overlapEnds = Date.parse(defaulted.body.key.previousSecrets[0].expiresAt);
    expect(overlapEnds - Date.now()).toBeGreaterThan(86_000_000);
    await admin.delete(`/api-keys/${body.key.id}`).expect(204);
    await admin.delete(`/api-keys/${body.key.id}`).expect(204);
    const refused = await admin.post(`/api-keys/${body.key.id}/rotate`).send({}).expect(409);
    expect(refused.body.type).toBe('/problems/api-key-inactive');
  });
});
