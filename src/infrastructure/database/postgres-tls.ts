import type { ConnectionOptions } from 'node:tls';
import { ConfigurationError } from '../../config/configuration-error.js';
import type { PostgresTls } from '../../config/postgres-tls.js';
import { certificateRefusal, isError, reasonOf } from '../tls/certificate-refusal.js';

/** node-postgres's `ssl` option: false, or the TLS options of every connection. */
export type PgSsl = false | ConnectionOptions;

const built = new WeakMap<PostgresTls, PgSsl>();

/**
 * node-postgres's `ssl` option for the settings, libpq's meaning of each mode: `require` encrypts
 * without checking the server (unless a CA is given: then as verify-ca), `verify-ca` checks the
 * chain, `verify-full` the chain and the host name. Always explicit, so PGSSLMODE is never read.
 * One object per settings: clients of one host list then share its locator.
 */
export function pgSsl(tls: PostgresTls): PgSsl {
  let ssl = built.get(tls);
  if (ssl === undefined) {
    ssl = optionsOf(tls);
    built.set(tls, ssl);
  }
  return ssl;
}

const anyName = () => undefined;

function optionsOf({ mode, ca, cert, key }: PostgresTls): PgSsl {
  if (mode === 'disable') return false;
  const verify = mode !== 'require' || ca !== undefined;
  const options: ConnectionOptions = { ca, cert, rejectUnauthorized: verify };
  // verify-ca, and require with a CA (as libpq): the chain is checked, the host name is not.
  if (verify && mode !== 'verify-full') options.checkServerIdentity = anyName;
  // Kept out of anything that serialises the options; node-postgres reads it by name.
  if (key) Object.defineProperty(options, 'key', { value: key, enumerable: false, configurable: true });
  return options;
}

/**
 * A boot that failed on TLS, in one line naming the setting to look at; undefined for any other
 * failure.
 */
export function tlsBootFailure(error: unknown): ConfigurationError | undefined {
  // A host-list probe keeps the TLS failure as its error's cause.
  for (let current = error; isError(current); current = current.cause) {
    const reason = explain(current);
    if (reason) return new ConfigurationError(`Invalid configuration: ${reason}`);
  }
  return undefined;
}

/** A certificate refused either way, or TLS refused by the server: not a host that is merely down. */
export const isTlsFailure = (error: unknown): boolean => isError(error) && explain(error) !== undefined;

function explain(error: Error & { code?: string }): string | undefined {
  const { code, message } = error;
  const reason = reasonOf(error);
  switch (certificateRefusal(code)) {
    case 'wrong-name':
      return `DATABASE_SSL_MODE=verify-full: the PostgreSQL server's certificate does not name the host connected to (${reason})`;
    case 'untrusted':
      return `DATABASE_SSL_CA_FILE (Node's built-in CAs when unset) does not vouch for the PostgreSQL server's certificate (${reason})`;
    case 'not-valid-now':
      return `the PostgreSQL server's certificate is not valid now (${reason})`;
  }
  if (message === 'The server does not support SSL connections') {
    return 'DATABASE_SSL_MODE asks for TLS and the PostgreSQL server does not offer it (ssl = off)';
  }
  if (code === 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' || code === 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE') {
    return `the PostgreSQL server does not accept the certificate in DATABASE_SSL_CERT_FILE (${reason})`;
  }
  if (code === '28000' && /certificate/i.test(message)) {
    return `the PostgreSQL server wants a client certificate it accepts in DATABASE_SSL_CERT_FILE and DATABASE_SSL_KEY_FILE (${reason})`;
  }
  return undefined;
}
