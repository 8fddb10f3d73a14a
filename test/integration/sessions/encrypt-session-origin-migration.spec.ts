import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import { EncryptSessionOrigin1765010000000 } from '../../../src/infrastructure/database/migrations/1765010000000-EncryptSessionOrigin';
import { MIGRATIONS } from '../../../src/infrastructure/database/migrations/index';
import { createTestDatabase, TestDatabase } from '../../support/database';

describe('EncryptSessionOrigin migration on sessions stored in plaintext', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const live = randomUUID();
  const endedLongAgo = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    dataSource = await new DataSource({
      ...buildDataSourceOptions(config.database, db.url),
      migrations: MIGRATIONS.filter((migration) => migration !== EncryptSessionOrigin1765010000000),
      migrationsRun: false,
    }).initialize();
    await dataSource.runMigrations();
    const [{ id: userId }] = await db.query<{ id: string }>(
      `INSERT INTO users (email, email_index, role, password_hash) VALUES ('e', 'i', 'analyst', 'h') RETURNING id`,
    );
    await db.query(
      `INSERT INTO session_store (id, token_hash, user_id, role, created_at, last_activity_at, expires_at,
         absolute_expires_at, revoked_at, ip, user_agent, device_fingerprint, metadata)
       VALUES ($1, 'h1', $3, 'analyst', now(), now(), now() + interval '1 hour', now() + interval '12 hours', NULL,
               '203.0.113.5', 'Firefox/128.0', 'sha256-of-the-user-agent', '{"method":"password"}'),
              ($2, 'h2', $3, 'analyst', now() - interval '2 days', now() - interval '2 days', now() - interval '47 hours',
               now() - interval '36 hours', NULL, '203.0.113.6', 'Chrome/131.0', 'sha256-of-another', '{}')`,
      [live, endedLongAgo, userId],
    );
    await db.query(`INSERT INTO login_failures (subject, failures, last_failed_at) VALUES
      ('ip:203.0.113.5', 3, now()), ('account:blind-index', 2, now())`);
    dataSource.migrations.push(new EncryptSessionOrigin1765010000000());
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const rows = () =>
    db.query<Record<string, unknown>>(
      `SELECT id, revoked_at, redis_purge_pending, ip, user_agent, device_fingerprint, metadata
         FROM session_store ORDER BY created_at DESC`,
    );

  it('ends every session, wipes its plaintext, has Redis purged of the live ones, and resets per-IP counters', async () => {
    await dataSource.runMigrations();
    const [first, second] = await rows();
    for (const row of [first, second]) {
      expect(row).toMatchObject({ ip: null, user_agent: null, device_fingerprint: '', metadata: null });
      expect(row.revoked_at).not.toBeNull();
    }
    expect(first).toMatchObject({ id: live, redis_purge_pending: true });
    expect(second).toMatchObject({ id: endedLongAgo, redis_purge_pending: false });
    expect((await db.query<{ subject: string }>('SELECT subject FROM login_failures')).map((r) => r.subject)).toEqual([
      'account:blind-index',
    ]);
    const [column] = await db.query<{ data_type: string }>(
      `SELECT data_type FROM information_schema.columns WHERE table_name = 'session_store' AND column_name = $1`,
      ['reauth_required_at'],
    );
    expect(column.data_type).toBe('timestamp with time zone');
  });

  it('reverts to a jsonb metadata column with its index, the sessions still ended', async () => {
    await dataSource.undoLastMigration();
    const [first] = await rows();
    expect(first).toMatchObject({ metadata: {}, ip: null });
    expect(first.revoked_at).not.toBeNull();
    const indexes = await db.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'session_store' AND indexname = 'idx_sessions_metadata'`,
    );
    expect(indexes).toHaveLength(1);
  });
});
