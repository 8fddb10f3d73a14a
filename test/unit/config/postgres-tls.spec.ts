import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../../src/config/app-config';
import { ConfigurationError, validateEnvironment } from '../../../src/config/environment';
import { pgSsl } from '../../../src/infrastructure/database/postgres-tls';
import { aCertificateAuthority, IssuedCertificate, TestCertificateAuthority } from '../../support/tls-certificates';

const URL = 'postgres://app:hunter2@db.internal:5432/ck';

const failureOf = (environment: Record<string, string>): Error => {
  try {
    validateEnvironment(environment);
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error');
};

describe('Postgres TLS settings (DATABASE_SSL_*)', () => {
  let ca: TestCertificateAuthority;
  let client: IssuedCertificate;
  let other: IssuedCertificate;
  let junk: string;
  beforeAll(() => {
    ca = aCertificateAuthority();
    client = ca.issue('client', { commonName: 'app' });
    other = ca.issue('other', { commonName: 'app' });
    junk = join(ca.caFile, '..', 'junk.pem');
    writeFileSync(junk, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
  });
  afterAll(() => ca.remove());

  const tlsOf = (environment: Record<string, string>) =>
    new AppConfig(validateEnvironment({ DATABASE_URL: URL, ...environment })).database.tls;

  it('is off by default, as before: no TLS, and PGSSLMODE is not consulted', () => {
    const tls = tlsOf({});
    expect(tls).toEqual({ mode: 'disable' });
    expect(pgSsl(tls)).toBe(false);
  });

  it('reads the CA, the client certificate and its key once', () => {
    const config = new AppConfig(
      validateEnvironment({
        DATABASE_URL: URL,
        DATABASE_SSL_MODE: 'verify-full',
        DATABASE_SSL_CA_FILE: ca.caFile,
        DATABASE_SSL_CERT_FILE: client.certFile,
        DATABASE_SSL_KEY_FILE: client.keyFile,
      }),
    );
    expect(config.database.tls).toEqual({
      mode: 'verify-full',
      ca: readFileSync(ca.caFile, 'utf8'),
      cert: readFileSync(client.certFile, 'utf8'),
      key: readFileSync(client.keyFile, 'utf8'),
    });
    expect(config.database.tls).toBe(config.database.tls);
  });

  it.each<[string, { withCa?: boolean }, object, boolean]>([
    ['require', {}, { rejectUnauthorized: false }, true],
    ['require', { withCa: true }, { rejectUnauthorized: true }, false],
    ['verify-ca', { withCa: true }, { rejectUnauthorized: true }, false],
    ['verify-full', { withCa: true }, { rejectUnauthorized: true }, true],
    ['verify-full', {}, { rejectUnauthorized: true }, true],
  ])(
    'maps %s %j to node-postgres options as libpq would (%j, host name default: %p)',
    (mode, { withCa }, expected, defaultIdentity) => {
      const ssl = pgSsl(tlsOf({ DATABASE_SSL_MODE: mode, ...(withCa ? { DATABASE_SSL_CA_FILE: ca.caFile } : {}) }));
      expect(ssl).toMatchObject(expected);
      if (!ssl) throw new Error('no TLS');
      // Without its own checkServerIdentity, Node checks the name; with one that accepts all, it does not.
      expect(ssl.checkServerIdentity === undefined).toBe(defaultIdentity);
      if (ssl.checkServerIdentity) expect(ssl.checkServerIdentity('anything', {} as never)).toBeUndefined();
    },
  );

  it('keeps the private key out of serialised options, and builds one object per settings', () => {
    const tls = tlsOf({
      DATABASE_SSL_MODE: 'require',
      DATABASE_SSL_CERT_FILE: client.certFile,
      DATABASE_SSL_KEY_FILE: client.keyFile,
    });
    const ssl = pgSsl(tls);
    if (!ssl) throw new Error('no TLS');
    expect(ssl.key).toBe(readFileSync(client.keyFile, 'utf8'));
    expect(JSON.stringify(ssl)).not.toContain('PRIVATE KEY');
    expect(pgSsl(tls)).toBe(ssl);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'a file while TLS is off',
      { DATABASE_SSL_CA_FILE: '/ca.pem' },
      'DATABASE_SSL_CA_FILE needs DATABASE_SSL_MODE require, verify-ca or verify-full',
    ],
    [
      'a key without a certificate',
      { DATABASE_SSL_MODE: 'require', DATABASE_SSL_KEY_FILE: '/k' },
      'DATABASE_SSL_KEY_FILE needs DATABASE_SSL_CERT_FILE',
    ],
    [
      'a certificate without its key',
      { DATABASE_SSL_MODE: 'require', DATABASE_SSL_CERT_FILE: '/c' },
      'DATABASE_SSL_CERT_FILE needs DATABASE_SSL_KEY_FILE',
    ],
    [
      'verify-ca on public CAs',
      { DATABASE_SSL_MODE: 'verify-ca' },
      'DATABASE_SSL_MODE=verify-ca needs DATABASE_SSL_CA_FILE (with public CAs use verify-full)',
    ],
    [
      'a file that is not there',
      { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: '/nonexistent/ca.pem' },
      'DATABASE_SSL_CA_FILE cannot be read',
    ],
    [
      'an unknown mode',
      { DATABASE_SSL_MODE: 'prefer' },
      'DATABASE_SSL_MODE must be one of the following values: disable, require, verify-ca, verify-full',
    ],
  ])('refuses %s in one line naming the variable', (_, environment, message) => {
    const error = failureOf({ DATABASE_URL: URL, ...environment });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(`Invalid configuration: ${message}`);
  });

  it('refuses files that are not what they should be, never echoing them', () => {
    const cases: [Record<string, string>, string][] = [
      [{ DATABASE_SSL_CA_FILE: client.keyFile }, 'DATABASE_SSL_CA_FILE holds no PEM certificate'],
      [{ DATABASE_SSL_CA_FILE: junk }, 'DATABASE_SSL_CA_FILE holds a PEM certificate that does not parse'],
      [
        { DATABASE_SSL_CERT_FILE: client.certFile, DATABASE_SSL_KEY_FILE: client.certFile },
        'DATABASE_SSL_KEY_FILE holds no PEM private key',
      ],
      [
        { DATABASE_SSL_CERT_FILE: client.certFile, DATABASE_SSL_KEY_FILE: other.keyFile },
        'DATABASE_SSL_KEY_FILE is not the key of the certificate in DATABASE_SSL_CERT_FILE',
      ],
    ];
    for (const [files, message] of cases) {
      const error = failureOf({ DATABASE_URL: URL, DATABASE_SSL_MODE: 'verify-full', ...files });
      expect(error.message).toBe(`Invalid configuration: ${message}`);
      expect(error.message).not.toMatch(/BEGIN|hunter2/);
    }
  });

  it('refuses an encrypted key: a passphrase would be one more secret to keep', () => {
    const encrypted = join(ca.caFile, '..', 'encrypted.key');
    writeFileSync(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n');
    const error = failureOf({
      DATABASE_URL: URL,
      DATABASE_SSL_MODE: 'require',
      DATABASE_SSL_CERT_FILE: client.certFile,
      DATABASE_SSL_KEY_FILE: encrypted,
    });
    expect(error.message).toBe('Invalid configuration: DATABASE_SSL_KEY_FILE is encrypted: give the key unencrypted');
  });

  it('needs DATABASE_URL: the embedded PostgreSQL has no TLS', () => {
    expect(failureOf({ DATABASE_SSL_MODE: 'require' }).message).toBe(
      'Invalid configuration: DATABASE_SSL_MODE needs DATABASE_URL: the embedded PostgreSQL is reached on loopback, without TLS',
    );
  });

  it.each([
    ['DATABASE_URL', `${URL}?sslmode=require`, 'sslmode'],
    [
      'DATABASE_URL',
      'postgres://app:hunter2@db1:5432,db2:5432/ck?target_session_attrs=read-write&sslrootcert=/ca',
      'sslrootcert',
    ],
    ['DATABASE_DIRECT_URL', `${URL}?SSL=true`, 'ssl'],
    ['DATABASE_REPLICA_URLS', `postgres://r1/ck, postgres://app:hunter2@r2/ck?uselibpqcompat=true`, 'uselibpqcompat'],
  ])(
    'refuses TLS parameters in %s (node-postgres reads sslmode=require as verify-full)',
    (variable, value, parameter) => {
      const error = failureOf({ DATABASE_URL: URL, [variable]: value });
      expect(error.message).toBe(
        `Invalid configuration: ${variable} sets ${parameter}: TLS comes from DATABASE_SSL_MODE and DATABASE_SSL_*_FILE, for every connection`,
      );
      expect(error.message).not.toContain('hunter2');
    },
  );
});
