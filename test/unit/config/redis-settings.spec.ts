import { ConfigurationError, validateEnvironment } from '../../../src/config/environment.js';
import { redisSettings } from '../../../src/config/redis-settings.js';

const settingsOf = (environment: Record<string, string>) => redisSettings(validateEnvironment(environment));

const failureOf = (environment: Record<string, string>): Error => {
  try {
    validateEnvironment(environment);
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error');
};

describe('Redis settings', () => {
  it('is off without any topology', () => {
    expect(settingsOf({})).toBeUndefined();
  });

  it('reads one server from REDIS_URL, TLS on with rediss:// and a CA file', () => {
    expect(settingsOf({ REDIS_URL: 'redis://cache:6380/2' })).toEqual({
      topology: { kind: 'standalone', url: 'redis://cache:6380/2' },
      tls: undefined,
    });
    expect(settingsOf({ REDIS_URL: 'rediss://cache:6380', REDIS_TLS_CA_FILE: '/ca.pem' })?.tls).toEqual({
      caFile: '/ca.pem',
    });
  });

  it("reads sentinels (IPv6 in brackets), the master name, both passwords and the sentinels' ACL user", () => {
    expect(
      settingsOf({
        REDIS_SENTINELS: 'sentinel-0:26379, [::1]:26380',
        REDIS_SENTINEL_NAME: 'ck-master',
        REDIS_PASSWORD: 'data-secret',
        REDIS_SENTINEL_USERNAME: 'ck-sentinel',
        REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
        REDIS_TLS: 'true',
      }),
    ).toEqual({
      topology: {
        kind: 'sentinel',
        sentinels: [
          { host: 'sentinel-0', port: 26379 },
          { host: '::1', port: 26380 },
        ],
        masterName: 'ck-master',
        sentinelUsername: 'ck-sentinel',
        sentinelPassword: 'sentinel-secret',
      },
      username: undefined,
      password: 'data-secret',
      tls: { caFile: undefined },
    });
  });

  it('reads cluster seed nodes with an ACL user', () => {
    expect(
      settingsOf({ REDIS_CLUSTER_NODES: 'redis-0:7000,redis-1:7001', REDIS_USERNAME: 'ck', REDIS_PASSWORD: 'p' }),
    ).toMatchObject({
      topology: {
        kind: 'cluster',
        nodes: [
          { host: 'redis-0', port: 7000 },
          { host: 'redis-1', port: 7001 },
        ],
      },
      username: 'ck',
      password: 'p',
    });
  });

  it.each([
    [{ REDIS_URL: 'redis://a:6379', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS'],
    [{ REDIS_SENTINELS: 's:26379', REDIS_CLUSTER_NODES: 'c:7000', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_SENTINELS: 's:26379' }, 'REDIS_SENTINEL_NAME'],
    [{ REDIS_SENTINEL_NAME: 'm', REDIS_URL: 'redis://a:6379' }, 'REDIS_SENTINEL_NAME'],
    [{ REDIS_SENTINEL_PASSWORD: 'hunter2', REDIS_CLUSTER_NODES: 'c:7000' }, 'REDIS_SENTINEL_PASSWORD'],
    [
      { REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm', REDIS_SENTINEL_USERNAME: 'ck' },
      'REDIS_SENTINEL_USERNAME',
    ],
    [{ REDIS_SENTINELS: 'sentinel-without-port', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS'],
    [{ REDIS_CLUSTER_NODES: 'c:70000' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_PASSWORD: 'hunter2' }, 'REDIS_PASSWORD'],
    [{ REDIS_URL: 'redis://:hunter3@a:6379', REDIS_PASSWORD: 'hunter2' }, 'REDIS_PASSWORD'],
    [{ REDIS_CLUSTER_NODES: 'c:7000', REDIS_USERNAME: 'ck' }, 'REDIS_USERNAME'],
    [{ REDIS_URL: 'redis://a:6379', REDIS_TLS: 'true' }, 'REDIS_TLS'],
    [{ REDIS_TLS: 'true' }, 'REDIS_TLS'],
    [{ REDIS_URL: 'redis://a:6379', REDIS_TLS_CA_FILE: '/ca.pem' }, 'REDIS_TLS_CA_FILE'],
    [{ REDIS_CLUSTER_NODES: 'c:7000', REDIS_TLS_CA_FILE: '/ca.pem' }, 'REDIS_TLS_CA_FILE'],
  ])('refuses %p with one line naming %s, echoing no value', (environment, variable) => {
    const error = failureOf(environment);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toMatch(/hunter|sentinel-without-port|70000/);
  });
});
