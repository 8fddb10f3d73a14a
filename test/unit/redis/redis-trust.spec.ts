import { EventEmitter } from 'node:events';
import { ConfigurationError } from '../../../src/config/configuration-error';
import type { RedisClient } from '../../../src/infrastructure/redis/redis-clients';
import { firstCertificateRefusal } from '../../../src/infrastructure/redis/redis-trust';

/** Just enough of a client: a status and its events. */
const aClient = (status = 'connecting') => Object.assign(new EventEmitter(), { status }) as unknown as RedisClient;
const tlsError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('firstCertificateRefusal', () => {
  it.each([
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'self-signed certificate',
      /^Invalid configuration: REDIS_TLS_CA_FILE .*\(self-signed certificate\)$/,
    ],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames",
      /^Invalid configuration: REDIS_URL names a host/,
    ],
    [
      'CERT_HAS_EXPIRED',
      'certificate has expired',
      /^Invalid configuration: the Redis server's certificate is not valid now/,
    ],
  ])('turns %s on the first connect into one line', async (code, message, line) => {
    const client = aClient();
    const refusal = firstCertificateRefusal(client, 1_000);
    client.emit(
      'error',
      tlsError(code, `${message}; if the root CA is installed locally, try running Node.js with --use-system-ca`),
    );
    const error = await refusal;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error?.message).toMatch(line);
    expect(error?.message).not.toMatch(/use-system-ca|\n/);
  });

  it('lets a server that is merely down pass: the app boots degraded', async () => {
    const client = aClient();
    const refusal = firstCertificateRefusal(client, 1_000);
    client.emit('error', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6380'), { code: 'ECONNREFUSED' }));
    await expect(refusal).resolves.toBeUndefined();
  });

  it('resolves once connected, or when the server does not answer in time, and leaves no listener behind', async () => {
    const connected = aClient();
    const afterReady = firstCertificateRefusal(connected, 1_000);
    connected.emit('ready');
    await expect(afterReady).resolves.toBeUndefined();
    const silent = aClient();
    await expect(firstCertificateRefusal(silent, 20)).resolves.toBeUndefined();
    for (const client of [connected, silent]) {
      expect([client.listenerCount('error'), client.listenerCount('ready')]).toEqual([0, 0]);
    }
  });
});
