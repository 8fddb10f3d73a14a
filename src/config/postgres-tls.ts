import { ConfigurationError } from './configuration-error.js';
import type { Environment } from './environment.js';
import { assertKeyPair, readCertificates, readPrivateKey } from './pem-files.js';
import { splitUrlList } from './postgres-urls.js';

/**
 * libpq's `sslmode` values the app supports (`allow` and `prefer`, which fall back to plain TCP,
 * are left out: a connection is encrypted or it fails).
 */
export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

/** TLS for every Postgres connection of the process, with the PEM files already read and checked. */
export interface PostgresTls {
  mode: PostgresSslMode;
  /** Trust anchors; unset means Node's built-in CAs. */
  ca?: string;
  /** Client certificate (and its chain) and key, for `clientcert=verify-*` or `cert` authentication. */
  cert?: string;
  key?: string;
}

const URL_VARIABLES = ['DATABASE_URL', 'DATABASE_DIRECT_URL', 'DATABASE_REPLICA_URLS'] as const;
const FILE_VARIABLES = ['DATABASE_SSL_CA_FILE', 'DATABASE_SSL_CERT_FILE', 'DATABASE_SSL_KEY_FILE'] as const;
/** Query parameters node-postgres would act on by its own rules (`sslmode=require` verifies like verify-full). */
const URL_TLS_PARAMETER = /^(ssl.*|uselibpqcompat)$/i;

const invalid = (message: string) => new ConfigurationError(`Invalid configuration: ${message}`);

/**
 * The TLS settings DATABASE_SSL_* describe. TLS is set in one place for every URL (pool, host-list
 * probe, migration lock, replicas, direct connection), so URLs may not carry TLS parameters.
 */
export function postgresTls(env: Environment): PostgresTls {
  for (const variable of URL_VARIABLES) refuseTlsParameters(variable, env[variable]);
  const mode = env.DATABASE_SSL_MODE;
  const given = FILE_VARIABLES.filter((name) => env[name] !== undefined);
  if (mode === 'disable') {
    if (given.length) throw invalid(`${given[0]} needs DATABASE_SSL_MODE require, verify-ca or verify-full`);
    return { mode };
  }
  if (!env.DATABASE_URL) {
    throw invalid('DATABASE_SSL_MODE needs DATABASE_URL: the embedded PostgreSQL is reached on loopback, without TLS');
  }
  if (env.DATABASE_SSL_KEY_FILE && !env.DATABASE_SSL_CERT_FILE) {
    throw invalid('DATABASE_SSL_KEY_FILE needs DATABASE_SSL_CERT_FILE');
  }
  if (env.DATABASE_SSL_CERT_FILE && !env.DATABASE_SSL_KEY_FILE) {
    throw invalid('DATABASE_SSL_CERT_FILE needs DATABASE_SSL_KEY_FILE');
  }
  // As libpq: a public CA vouches for anyone's server, so only the host name check makes it safe.
  if (mode === 'verify-ca' && !env.DATABASE_SSL_CA_FILE) {
    throw invalid('DATABASE_SSL_MODE=verify-ca needs DATABASE_SSL_CA_FILE (with public CAs use verify-full)');
  }
  const tls: PostgresTls = { mode };
  if (env.DATABASE_SSL_CA_FILE) tls.ca = readCertificates('DATABASE_SSL_CA_FILE', env.DATABASE_SSL_CA_FILE);
  if (env.DATABASE_SSL_CERT_FILE && env.DATABASE_SSL_KEY_FILE) {
    tls.cert = readCertificates('DATABASE_SSL_CERT_FILE', env.DATABASE_SSL_CERT_FILE);
    const { pem, key } = readPrivateKey('DATABASE_SSL_KEY_FILE', env.DATABASE_SSL_KEY_FILE);
    assertKeyPair('DATABASE_SSL_CERT_FILE', 'DATABASE_SSL_KEY_FILE', tls.cert, key);
    tls.key = pem;
  }
  return tls;
}

function refuseTlsParameters(variable: string, value: string | undefined): void {
  if (!value) return;
  const urls = variable === 'DATABASE_REPLICA_URLS' ? splitUrlList(value) : [value];
  for (const url of urls) {
    const query = url.indexOf('?');
    if (query < 0) continue;
    for (const name of new URLSearchParams(url.slice(query + 1)).keys()) {
      if (URL_TLS_PARAMETER.test(name)) {
        throw invalid(
          `${variable} sets ${name.toLowerCase()}: TLS comes from DATABASE_SSL_MODE and DATABASE_SSL_*_FILE, for every connection`,
        );
      }
    }
  }
}
