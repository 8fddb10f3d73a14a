import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import type { Session } from '../../../src/modules/sessions/session';
import { SessionRepository } from '../../../src/modules/sessions/session.repository';
import { createTestDatabase, TestDatabase } from '../../support/database';

const HOUR = 3_600_000;

describe('SessionRepository: revocations pending a Redis purge', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let sessions: SessionRepository;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    dataSource = await new DataSource(buildDataSourceOptions(config.database, db.url)).initialize();
    await dataSource.runMigrations();
    sessions = new SessionRepository(dataSource);
    [{ id: userId }] = await db.query<{ id: string }>(
      `INSERT INTO users (email, email_index, role, password_hash) VALUES ('x', $1, 'analyst', 'x') RETURNING id`,
      [randomUUID()],
    );
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const aSession = async (createdAt: Date): Promise<Session> => {
    const session: Session = {
      id: randomUUID(),
      tokenHash: randomUUID(),
      userId,
      role: 'analyst',
      createdAt,
      lastActivityAt: createdAt,
      expiresAt: new Date(createdAt.getTime() + HOUR),
      absoluteExpiresAt: new Date(createdAt.getTime() + 12 * HOUR),
      revokedAt: null,
      ip: null,
      userAgent: null,
      deviceFingerprint: 'fp',
      metadata: {},
    };
    await sessions.insert(session);
    return session;
  };
  const pendingHashes = async () => (await sessions.pendingRedisPurges(100)).map((s) => s.tokenHash);

  it('marks a revocation pending only when asked, oldest first, and returns only what was still live', async () => {
    const now = new Date();
    const [first, second, quiet] = await Promise.all([aSession(now), aSession(now), aSession(now)]);
    expect(await sessions.revoke([second.id], new Date(now.getTime() + 1), { redisPurgePending: true })).toEqual([
      { tokenHash: second.tokenHash, userId },
    ]);
    await sessions.revoke([first.id], now, { redisPurgePending: true });
    await sessions.revoke([quiet.id], now);
    expect(await sessions.revoke([first.id], now, { redisPurgePending: true })).toEqual([]);

    expect(await pendingHashes()).toEqual([first.tokenHash, second.tokenHash]);
    await sessions.clearRedisPurgePending([first.tokenHash, second.tokenHash]);
    expect(await pendingHashes()).toEqual([]);
  });

  it('keeps an ended session in cleanup while Redis has not been told of its revocation', async () => {
    const longAgo = new Date(Date.now() - 48 * HOUR);
    const session = await aSession(longAgo);
    await sessions.revoke([session.id], longAgo, { redisPurgePending: true });
    const before = new Date(Date.now() - 24 * HOUR);

    await sessions.deleteEnded(before);
    expect(await sessions.findById(session.id)).toBeDefined();

    await sessions.clearRedisPurgePending([session.tokenHash]);
    await sessions.deleteEnded(before);
    expect(await sessions.findById(session.id)).toBeUndefined();
  });
});
