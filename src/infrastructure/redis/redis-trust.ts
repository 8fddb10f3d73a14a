import { ConfigurationError } from '../../config/configuration-error.js';
import { certificateRefusal, isError, reasonOf } from '../tls/certificate-refusal.js';
import type { RedisClient } from './redis-clients.js';

/**
 * Waits (at most `waitMs`) for the client's first connection and returns the boot's one line when
 * the server's certificate was refused; undefined once connected, for a server that is merely
 * down or slow (the app then runs degraded, as it would if Redis fell over later), and on timeout.
 */
export function firstCertificateRefusal(client: RedisClient, waitMs: number): Promise<ConfigurationError | undefined> {
  if (client.status === 'ready') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const done = (outcome: ConfigurationError | undefined) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      resolve(outcome);
    };
    const onReady = () => done(undefined);
    const onError = (error: unknown) => done(explain(error));
    const timer = setTimeout(onReady, waitMs);
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

function explain(error: unknown): ConfigurationError | undefined {
  if (!isError(error)) return undefined;
  const reason = reasonOf(error);
  const refused = (message: string) => new ConfigurationError(`Invalid configuration: ${message} (${reason})`);
  switch (certificateRefusal(error.code)) {
    case 'untrusted':
      return refused(
        `REDIS_TLS_CA_FILE (Node's built-in CAs when unset) does not vouch for the Redis server's certificate`,
      );
    case 'wrong-name':
      return refused(`REDIS_URL names a host the Redis server's certificate does not`);
    case 'not-valid-now':
      return refused(`the Redis server's certificate is not valid now`);
    default:
      return undefined;
  }
}
