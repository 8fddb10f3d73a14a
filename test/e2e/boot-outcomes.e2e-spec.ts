import { createTestDatabase, TestDatabase } from '../support/database';
import { SpareTlsPostgres } from '../support/postgres-tls';
import { startAppProcess } from '../support/process';
import { aRedisCertificate, RedisTls, SpareTlsRedis } from '../support/redis-topologies';
import { aCertificateAuthority, TestCertificateAuthority } from '../support/tls-certificates';

const BASE = { NODE_ENV: 'test', DATA_DIR: '/tmp/compliance-kit-test', HOST: '127.0.0.1', PORT: '0' };

/** Runs the built app until it exits on its own; resolves with everything it printed. */
async function failedBoot(environment: Record<string, string>): Promise<string> {
  const error = await startAppProcess({ ...BASE, ...environment }, 30_000).then(
    async (app) => {
      await app.stop();
      return new Error(`the app started:\n${app.output()}`);
    },
    (caught: Error) => caught,
  );
  const prefix = 'app exited with 1 before listening:\n';
  expect(error.message.startsWith(prefix)).toBe(true);
  return error.message.slice(prefix.length);
}

/** The whole output is the one line: no boot log, no stack, no key material. */
function expectOneLine(output: string, line: RegExp): void {
  expect(output).toMatch(/^Invalid configuration: [^\n]+\n$/);
  expect(output).toMatch(line);
  expect(output).not.toMatch(/ {4}at |BEGIN CERTIFICATE|PRIVATE KEY/);
}

/**
 * Settings only a connection can prove wrong (a CA, a host name, TLS the server does not offer)
 * end the built app's boot in exactly one line naming the variable, exit code 1; a good boot
 * still prints its log, "listening on" and, on SIGTERM, "stopped".
 */
describe('the built app at boot, against servers that refuse its settings', () => {
  let ca: TestCertificateAuthority;
  let postgres: SpareTlsPostgres;
  let redisCertificate: RedisTls & { remove(): void };
  let redis: SpareTlsRedis;
  let db: TestDatabase;
  beforeAll(async () => {
    ca = aCertificateAuthority();
    redisCertificate = aRedisCertificate();
    const certificate = ca.issue('server', { commonName: '127.0.0.1', ip: ['127.0.0.1'] });
    [postgres, redis, db] = await Promise.all([
      SpareTlsPostgres.start({ certificate, caFile: ca.caFile }),
      SpareTlsRedis.start(redisCertificate),
      createTestDatabase(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([postgres?.destroy(), redis?.stop(), db?.drop()]);
    ca?.remove();
    redisCertificate?.remove();
  });

  describe('Postgres', () => {
    it('names DATABASE_SSL_CA_FILE for a CA that does not vouch for the server', async () => {
      const other = aCertificateAuthority('Someone else');
      try {
        const output = await failedBoot({
          DATABASE_URL: postgres.tcpUrl('postgres'),
          DATABASE_SSL_MODE: 'verify-full',
          DATABASE_SSL_CA_FILE: other.caFile,
        });
        expectOneLine(
          output,
          /^Invalid configuration: DATABASE_SSL_CA_FILE \(Node's built-in CAs when unset\) does not vouch for the PostgreSQL server's certificate \(self-signed certificate in certificate chain\)\n$/,
        );
      } finally {
        other.remove();
      }
    });

    it('names DATABASE_SSL_MODE=verify-full for a host the certificate does not name', async () => {
      const output = await failedBoot({
        DATABASE_URL: postgres.tcpUrl('postgres', 'localhost'),
        DATABASE_SSL_MODE: 'verify-full',
        DATABASE_SSL_CA_FILE: ca.caFile,
      });
      expectOneLine(
        output,
        /^Invalid configuration: DATABASE_SSL_MODE=verify-full: the PostgreSQL server's certificate does not name the host connected to \(Hostname\/IP does not match certificate's altnames: Host: localhost\. is not [^\n]*127\.0\.0\.1\)\n$/,
      );
    });

    it('names DATABASE_SSL_MODE when it requires TLS of a server without it', async () => {
      // The machine's shared server runs with ssl = off.
      const output = await failedBoot({ DATABASE_URL: db.url, DATABASE_SSL_MODE: 'require' });
      expectOneLine(
        output,
        /^Invalid configuration: DATABASE_SSL_MODE asks for TLS and the PostgreSQL server does not offer it/,
      );
    });

    it('names DATABASE_SSL_CA_FILE for a file that is no certificate, before connecting', async () => {
      const output = await failedBoot({
        DATABASE_URL: postgres.tcpUrl('postgres'),
        DATABASE_SSL_MODE: 'verify-full',
        DATABASE_SSL_CA_FILE: ca.issue('not-a-ca', { commonName: 'x' }).keyFile,
      });
      expect(output).toBe('Invalid configuration: DATABASE_SSL_CA_FILE holds no PEM certificate\n');
    });
  });

  describe('Redis over rediss://', () => {
    it('names REDIS_TLS_CA_FILE for a CA that does not vouch for the server', async () => {
      const output = await failedBoot({
        DATABASE_URL: db.url,
        REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
        REDIS_TLS_CA_FILE: ca.caFile,
      });
      expectOneLine(
        output,
        /^Invalid configuration: REDIS_TLS_CA_FILE \(Node's built-in CAs when unset\) does not vouch for the Redis server's certificate \(self-signed certificate\)\n$/,
      );
    });
  });

  it('boots with the right settings, logs "listening on", and "stopped" on SIGTERM with exit code 0', async () => {
    const app = await startAppProcess({
      ...BASE,
      DATABASE_URL: db.url,
      REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
      REDIS_TLS_CA_FILE: redisCertificate.certFile,
    });
    const ready = await fetch(`${app.baseUrl}/health/ready`);
    const code = await app.stop('SIGTERM');
    const lines = app.output().trim().split('\n');
    expect({ ready: ready.status, code }).toEqual({ ready: 200, code: 0 });
    // The boot log Nest buffered reaches the app's logger: JSON lines from the first.
    expect(JSON.parse(lines[0])).toMatchObject({ context: 'NestFactory', msg: 'Starting Nest application...' });
    expect(lines.filter((line) => line.includes('"msg":"listening on http://127.0.0.1:'))).toHaveLength(1);
    expect(lines.some((line) => line.includes('"context":"Redis","msg":"connected (standalone)"'))).toBe(true);
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ context: 'Bootstrap', msg: 'stopped' });
    expect(app.output()).not.toMatch(/Invalid configuration| {4}at /);
  });
});
