import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { SecurityEvent } from '../../../src/common/security-events';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import type { Session } from '../../../src/modules/sessions/session';
import { SessionRepository } from '../../../src/modules/sessions/session.repository';
import { SessionSealer } from '../../../src/modules/sessions/session-sealer';
import { TransactionContext } from '../../../src/infrastructure/database/transaction-context';
import { FieldCipher } from '../../../src/modules/encryption/field-cipher';
import { SubjectKeys } from '../../../src/modules/encryption/subject-keys';
import { aCipher } from '../../support/builders/keyring.builder';
import { createTestDatabase, TestDatabase } from '../../support/database';

const HOUR = 3_600_000;

describe('SessionRepository', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let sessions: SessionRepository;
  let userId: string;
  let cipher: FieldCipher;
  let subjectKeys: SubjectKeys;
  const events: SecurityEvent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    dataSource = await new DataSource(buildDataSourceOptions(config.database, db.url)).initialize();
    await dataSource.runMigrations();
    cipher = aCipher();
    subjectKeys = new SubjectKeys(cipher, new TransactionContext(dataSource), config);
    const sealer = new SessionSealer(cipher, subjectKeys, dataSource, {
      record: async (event: SecurityEvent) => void events.push(event),
    });
    sessions = new SessionRepository(dataSource, sealer);
    [{ id: userId }] = await db.query<{ id: string }>(
      `INSERT INTO users (email, email_index, role, password_hash) VALUES ('x', $1, 'analyst', 'x') RETURNING id`,
      [randomUUID()],
    );
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const aSession = async (createdAt: Date, origin: Partial<Session> = {}): Promise<Session> => {
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
      reauthRequiredAt: null,
      ip: null,
      userAgent: null,
      deviceFingerprint: 'fp',
      metadata: {},
      ...origin,
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

  it("stores IP, user agent and metadata only under the user's subject key, bound to their row, and reads them back", async () => {
    const origin = { ip: '198.51.100.9', userAgent: 'Probe/1.0', metadata: { method: 'password' as const } };
    const session = await aSession(new Date(), origin);
    const [row] = await db.query<Record<string, string>>(
      'SELECT ip, user_agent, metadata FROM session_store WHERE id = $1',
      [session.id],
    );
    for (const value of Object.values(row)) expect(value.startsWith(`s1:${userId}:`)).toBe(true);
    expect(JSON.stringify(row)).not.toMatch(/198\.51\.100\.9|Probe|password/);
    expect(await sessions.findById(session.id)).toMatchObject(origin);
  });

  it('still reads a value sealed under the keyring before subject keys', async () => {
    const session = await aSession(new Date());
    const legacy = cipher.encryptRow('198.51.100.12', { table: 'session_store', column: 'ip', id: session.id });
    await db.query('UPDATE session_store SET ip = $2 WHERE id = $1', [session.id, legacy]);
    expect((await sessions.findById(session.id))?.ip).toBe('198.51.100.12');
  });

  it("reads an erased user's sealed origin as absent, without a security event", async () => {
    const [{ id: erasedId }] = await db.query<{ id: string }>(
      `INSERT INTO users (email, email_index, role, password_hash) VALUES ('x', $1, 'analyst', 'x') RETURNING id`,
      [randomUUID()],
    );
    const session = await aSession(new Date(), { userId: erasedId, ip: '198.51.100.13', userAgent: 'Gone/1.0' });
    await subjectKeys.erase(erasedId, dataSource.manager);
    events.length = 0;
    expect(await sessions.findById(session.id)).toMatchObject({ ip: null, userAgent: null, metadata: {} });
    expect(events).toEqual([]);
  });

  it('reads a sealed value copied from another session as absent, and records it as tampering', async () => {
    const victim = await aSession(new Date(), { ip: '198.51.100.10' });
    const thief = await aSession(new Date(), { ip: '198.51.100.11' });
    await db.query('UPDATE session_store SET ip = (SELECT ip FROM session_store WHERE id = $1) WHERE id = $2', [
      victim.id,
      thief.id,
    ]);
    events.length = 0;
    expect((await sessions.findById(thief.id))?.ip).toBeNull();
    expect(events).toEqual([
      expect.objectContaining({
        action: 'encryption.tampered',
        resourceId: thief.id,
        details: { fields: [expect.objectContaining({ column: 'ip', reason: 'tampered' })] },
      }),
    ]);
  });

  it('marks a session for re-authentication once, and a rebind clears the mark, both pending a Redis purge', async () => {
    const session = await aSession(new Date());
    const at = new Date();
    expect(await sessions.requireReauthentication(session, at, { redisPurgePending: true })).toHaveLength(1);
    expect(await sessions.requireReauthentication(session, at, { redisPurgePending: true })).toEqual([]);
    expect(await pendingHashes()).toContain(session.tokenHash);
    expect((await sessions.findById(session.id))?.reauthRequiredAt).toEqual(at);

    await sessions.clearRedisPurgePending([session.tokenHash]);
    const rebound = { ...session, deviceFingerprint: 'fp2', metadata: { reauthenticatedAt: at.toISOString() } };
    expect(await sessions.rebind(rebound, { redisPurgePending: true })).toHaveLength(1);
    expect(await sessions.findById(session.id)).toMatchObject({
      reauthRequiredAt: null,
      deviceFingerprint: 'fp2',
      metadata: rebound.metadata,
    });
    expect(await pendingHashes()).toContain(session.tokenHash);
  });
});
