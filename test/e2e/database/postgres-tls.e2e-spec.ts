import { DataSource } from 'typeorm';
import { ReplicaRouter } from '../../../src/infrastructure/database/replica-router';
import { startTestAppOn, TestApp } from '../../support/app';
import { runBuilt } from '../../support/cli-processes';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { SpareTlsPostgres } from '../../support/postgres-tls';
import { freePort } from '../../support/spare-services';
import { aCertificateAuthority, TestCertificateAuthority } from '../../support/tls-certificates';
import { waitFor } from '../../support/wait-for';

interface Connection {
  application_name: string;
  ssl: boolean;
}

/**
 * The app against a PostgreSQL that takes TCP over TLS only (`hostssl` lines, no `host`): a
 * connection that skipped TLS would be refused, and the server logs each one with its TLS state.
 * The server's certificate names 127.0.0.1 only; `localhost` reaches it under a name it lacks.
 */
describe('Postgres over TLS for every connection the app makes', () => {
  let ca: TestCertificateAuthority;
  let server: SpareTlsPostgres;
  beforeAll(async () => {
    ca = aCertificateAuthority();
    const certificate = ca.issue('server', { commonName: '127.0.0.1', ip: ['127.0.0.1'] });
    server = await SpareTlsPostgres.start({ certificate, caFile: ca.caFile });
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
    ca?.remove();
  });

  const verifyFull = () => ({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: ca.caFile });
  const authorized = (database: string, application: string) =>
    server
      .log()
      .split('\n')
      .filter((line) =>
        line.includes(`connection authorized: user=postgres database=${database} application_name=${application} `),
      );

  describe('the app booted with DATABASE_SSL_MODE=verify-full', () => {
    let db: TestDatabase;
    let t: TestApp;
    beforeAll(async () => {
      db = await createTestDatabase(server.adminUrl);
      t = await startTestAppOn(db, {
        // A host list whose first host refuses: the probe that finds the primary goes over TLS too.
        DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()},127.0.0.1:${server.port}/${db.name}`,
        DATABASE_DIRECT_URL: server.tcpUrl(db.name),
        // Not a standby: the replica DataSource connects, then reports the server as not in recovery.
        DATABASE_REPLICA_URLS: server.tcpUrl(db.name),
        DATABASE_REPLICA_CHECK_INTERVAL_MS: '100',
        ...verifyFull(),
      });
      const router = t.app.get(ReplicaRouter);
      await waitFor(() => router.statuses()[0]?.reason === 'not in recovery (promoted?)', 10_000);
    }, 90_000);
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it('serves requests, its pool connections encrypted', async () => {
      await t.http().get('/health/ready').expect(200);
      const rows = await t.app
        .get(DataSource)
        .query<{ ssl: boolean }[]>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows).toEqual([{ ssl: true }]);
    });

    it('holds only encrypted connections: pool, replica, revocation listener', async () => {
      const connections = await db.query<Connection>(
        `SELECT a.application_name, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
          WHERE a.datname = $1 AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()`,
        [db.name],
      );
      const names = new Set(connections.map((connection) => connection.application_name));
      expect(names).toEqual(
        new Set(['compliance-kit', 'compliance-kit:replica', 'compliance-kit-revocations', 'compliance-kit-erasures']),
      );
      expect(connections.filter((connection) => !connection.ssl)).toEqual([]);
    });

    it('opened its short-lived connections over TLS too: the host-list probe and the migration lock', () => {
      for (const application of ['compliance-kit:probe', 'compliance-kit:migrations']) {
        const lines = authorized(db.name, application);
        expect({ application, logged: lines.length > 0 }).toEqual({ application, logged: true });
        for (const line of lines) expect(line).toMatch(/ SSL enabled \(protocol=TLSv1\.[23],/);
      }
      expect(server.log()).not.toMatch(/no encryption/);
    });
  });

  it('runs the migrate CLI over TLS', async () => {
    const db = await createTestDatabase(server.adminUrl);
    try {
      const result = await runBuilt('dist/src/cli/migrate.js', [], {
        DATABASE_URL: server.tcpUrl(db.name),
        DATA_DIR: '/tmp/compliance-kit-test',
        ...verifyFull(),
      });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/the schema is at this build's head/);
      const lines = authorized(db.name, 'compliance-kit:migrations');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/ SSL enabled /);
    } finally {
      await db.drop();
    }
  });
});
