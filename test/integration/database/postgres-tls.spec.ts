import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { ConfigurationError, validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import { initializeDataSource } from '../../../src/infrastructure/database/migrations-at-head';
import { pgSsl } from '../../../src/infrastructure/database/postgres-tls';
import { primaryClient } from '../../../src/infrastructure/database/primary-client';
import { SpareTlsPostgres } from '../../support/postgres-tls';
import { freePort } from '../../support/spare-services';
import { aCertificateAuthority, TestCertificateAuthority } from '../../support/tls-certificates';

const SSL_SQL = 'SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

/** Opens the app's pool (no migrations) on `url` with these DATABASE_SSL_* settings, runs SSL_SQL, closes. */
async function sslOfPool(
  url: string,
  tls: Record<string, string>,
): Promise<{ ssl: boolean; client_dn: string | null }> {
  const config = new AppConfig(
    validateEnvironment({
      DATABASE_URL: url,
      DATABASE_MIGRATIONS_RUN: 'false',
      DATABASE_CONNECTION_TIMEOUT_MS: '2000',
      ...tls,
    }),
  );
  const dataSource = await initializeDataSource({
    ...buildDataSourceOptions(config.database, url),
    migrationsRun: false,
  });
  try {
    const [row] = await dataSource.query<{ ssl: boolean; client_dn: string | null }[]>(SSL_SQL);
    return row;
  } finally {
    await dataSource.destroy();
  }
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('it connected');
}

describe('Postgres over TLS, as DATABASE_SSL_MODE says (a server that takes TLS only)', () => {
  let ca: TestCertificateAuthority;
  let otherCa: TestCertificateAuthority;
  let server: SpareTlsPostgres;
  let url: string;
  beforeAll(async () => {
    ca = aCertificateAuthority();
    otherCa = aCertificateAuthority('Someone else');
    // Names 127.0.0.1 only: `localhost` is the same server under a name the certificate lacks.
    const certificate = ca.issue('server', { commonName: '127.0.0.1', ip: ['127.0.0.1'] });
    server = await SpareTlsPostgres.start({ certificate, caFile: ca.caFile });
    url = server.tcpUrl('postgres');
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
    ca?.remove();
    otherCa?.remove();
  });

  it('is refused in plain text by this server (disable), so every pass below went over TLS', async () => {
    const error = await failureOf(sslOfPool(url, {}));
    expect(error.message).toMatch(/no pg_hba\.conf entry .* no encryption/);
  });

  it('encrypts without checking the certificate with require and no CA, as libpq', async () => {
    expect(await sslOfPool(url, { DATABASE_SSL_MODE: 'require' })).toEqual({ ssl: true, client_dn: null });
  });

  it('checks the chain with require and a CA, as libpq: a CA that does not vouch for the server is refused', async () => {
    expect((await sslOfPool(url, { DATABASE_SSL_MODE: 'require', DATABASE_SSL_CA_FILE: ca.caFile })).ssl).toBe(true);
    const error = await failureOf(
      sslOfPool(url, { DATABASE_SSL_MODE: 'require', DATABASE_SSL_CA_FILE: otherCa.caFile }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
  });

  it('with verify-ca checks the chain, not the host name', async () => {
    const byName = server.tcpUrl('postgres', 'localhost');
    expect((await sslOfPool(byName, { DATABASE_SSL_MODE: 'verify-ca', DATABASE_SSL_CA_FILE: ca.caFile })).ssl).toBe(
      true,
    );
  });

  it('with verify-full refuses a certificate that does not name the host, in one line saying so', async () => {
    const byName = server.tcpUrl('postgres', 'localhost');
    const error = await failureOf(
      sslOfPool(byName, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: ca.caFile }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(
      /^Invalid configuration: DATABASE_SSL_MODE=verify-full: the PostgreSQL server's certificate does not name the host connected to \(.*localhost.*\)$/,
    );
    expect((await sslOfPool(url, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: ca.caFile })).ssl).toBe(
      true,
    );
  });

  it('with verify-full refuses a server the CA does not vouch for, and Node CAs without a CA file', async () => {
    for (const tls of [
      { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: otherCa.caFile },
      { DATABASE_SSL_MODE: 'verify-full' },
    ] as Record<string, string>[]) {
      const error = await failureOf(sslOfPool(url, tls));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toMatch(
        /^Invalid configuration: DATABASE_SSL_CA_FILE \(Node's built-in CAs when unset\) does not vouch for the PostgreSQL server's certificate \([^)]+\)$/,
      );
    }
  });

  it('probes a host list over TLS, and names the certificate failure when no host passes', async () => {
    const list = `postgres://postgres@127.0.0.1:${await freePort()},127.0.0.1:${server.port}/postgres`;
    expect((await sslOfPool(list, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: ca.caFile })).ssl).toBe(
      true,
    );
    const error = await failureOf(
      sslOfPool(list, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: otherCa.caFile }),
    );
    expect(error.message).toMatch(/^Invalid configuration: DATABASE_SSL_CA_FILE .* does not vouch for/);
  });

  it('gives the migration lock client, made from the pool options, the same TLS', async () => {
    const config = new AppConfig(
      validateEnvironment({ DATABASE_URL: url, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: ca.caFile }),
    );
    const dataSource = await new DataSource(buildDataSourceOptions(config.database, url)).initialize();
    try {
      const pool = (dataSource.driver as unknown as { master: { options: { ssl: unknown } } }).master;
      expect(pool.options.ssl).toBe(pgSsl(config.database.tls));
      expect(pool.options.ssl).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN') });
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('Postgres asking for a client certificate (pg_hba clientcert=verify-full)', () => {
  let ca: TestCertificateAuthority;
  let server: SpareTlsPostgres;
  let url: string;
  beforeAll(async () => {
    ca = aCertificateAuthority();
    const certificate = ca.issue('server', { commonName: '127.0.0.1', ip: ['127.0.0.1'] });
    server = await SpareTlsPostgres.start({ certificate, caFile: ca.caFile, clientCert: true });
    url = server.tcpUrl('postgres');
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
    ca?.remove();
  });

  const verifyFull = () => ({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: ca.caFile });

  it('connects with a certificate for the user, which the server sees', async () => {
    const client = ca.issue('client-postgres', { commonName: 'postgres' });
    expect(
      await sslOfPool(url, {
        ...verifyFull(),
        DATABASE_SSL_CERT_FILE: client.certFile,
        DATABASE_SSL_KEY_FILE: client.keyFile,
      }),
    ).toEqual({ ssl: true, client_dn: '/CN=postgres' });
  });

  it('connects the revocation listener (its own client) with the certificate too', async () => {
    const cert = ca.issue('client-listener', { commonName: 'postgres' });
    const config = new AppConfig(
      validateEnvironment({
        DATABASE_URL: url,
        ...verifyFull(),
        DATABASE_SSL_CERT_FILE: cert.certFile,
        DATABASE_SSL_KEY_FILE: cert.keyFile,
      }),
    );
    const client = primaryClient(url, { ssl: pgSsl(config.database.tls) });
    await client.connect();
    try {
      expect((await client.query(SSL_SQL)).rows[0]).toEqual({ ssl: true, client_dn: '/CN=postgres' });
    } finally {
      await client.end();
    }
  });

  it('without a certificate stops in one line naming the variables', async () => {
    const error = await failureOf(sslOfPool(url, verifyFull()));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(
      'Invalid configuration: the PostgreSQL server wants a client certificate it accepts in DATABASE_SSL_CERT_FILE and DATABASE_SSL_KEY_FILE (connection requires a valid client certificate)',
    );
  });

  it('with a certificate from a CA the server does not trust stops in one line naming the variable', async () => {
    const elsewhere = aCertificateAuthority('Elsewhere');
    try {
      const client = elsewhere.issue('client', { commonName: 'postgres' });
      const error = await failureOf(
        sslOfPool(url, {
          ...verifyFull(),
          DATABASE_SSL_CERT_FILE: client.certFile,
          DATABASE_SSL_KEY_FILE: client.keyFile,
        }),
      );
      expect(error.message).toMatch(
        /^Invalid configuration: the PostgreSQL server does not accept the certificate in DATABASE_SSL_CERT_FILE \(.+\)$/,
      );
    } finally {
      elsewhere.remove();
    }
  });

  it('refuses a certificate for another user: the server checks its CN against the user', async () => {
    const stranger = ca.issue('client-stranger', { commonName: 'mallory' });
    const error = await failureOf(
      sslOfPool(url, {
        ...verifyFull(),
        DATABASE_SSL_CERT_FILE: stranger.certFile,
        DATABASE_SSL_KEY_FILE: stranger.keyFile,
      }),
    );
    // The server keeps the reason (CN mismatch) to its log: the client only hears that authentication failed.
    expect(error.message).toMatch(/authentication failed for user "postgres"/);
    expect(server.log()).toMatch(/CN mismatch/);
  });
});
