import { ConfigurationError, validateEnvironment } from '../../../src/config/environment.js';

describe('validateEnvironment', () => {
  it('applies documented defaults to an empty environment', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      PORT: 3000,
      DATABASE_POOL_MAX: 10,
      DATABASE_STATEMENT_TIMEOUT_MS: 15000,
      LOG_LEVEL: 'info',
      DATA_DIR: './.data',
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('parses numbers and booleans from strings', () => {
    const env = validateEnvironment({ PORT: '8080', DATABASE_MIGRATIONS_RUN: 'false' });
    expect(env.PORT).toBe(8080);
    expect(env.DATABASE_MIGRATIONS_RUN).toBe(false);
  });

  it('treats blank optional URLs as unset', () => {
    expect(validateEnvironment({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });

  it.each([
    ['PORT', 'seventy'],
    ['PORT', '70000'],
    ['DATABASE_POOL_MAX', '0'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['ELASTICSEARCH_NODE', 'not a url'],
    ['SESSION_REVOCATION_SYNC_MS', '50'],
    ['SESSION_REVOCATION_SYNC_MS', '600000'],
    ['QUEUE_PREFIX', 'ck:prod'],
    ['SESSION_FINGERPRINT_MISMATCH', 'ignore'],
  ])('fails with one line naming %s when it is %p', (name, value) => {
    let error: unknown;
    try {
      validateEnvironment({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name} `));
    expect(message).not.toContain('\n');
  });

  it('does not echo a bad secret-bearing value in the message', () => {
    expect(() => validateEnvironment({ DATABASE_URL: 'mysql://user:hunter2@db/x' })).toThrow(
      /^(?!.*hunter2).*DATABASE_URL/,
    );
  });

  it('accepts an audit checkpoint key of 32+ characters only', () => {
    const key = 'k'.repeat(32);
    expect(validateEnvironment({ NODE_ENV: 'production', AUDIT_CHECKPOINT_KEY: key }).AUDIT_CHECKPOINT_KEY).toBe(key);
    expect(() => validateEnvironment({ AUDIT_CHECKPOINT_KEY: 'short-secret' })).toThrow(
      /^(?!.*short-secret)Invalid configuration: AUDIT_CHECKPOINT_KEY /,
    );
  });

  it('keeps audit events for a year by default', () => {
    expect(validateEnvironment({}).AUDIT_RETENTION_DAYS).toBe(365);
    expect(validateEnvironment({ AUDIT_RETENTION_DAYS: '30' }).AUDIT_RETENTION_DAYS).toBe(30);
  });

  it('maintains partitions every six hours (events) and daily (audit) by default, never more than once a second', () => {
    const env = validateEnvironment({});
    expect(env.COMPLIANCE_EVENTS_PARTITION_INTERVAL_MS).toBe(21_600_000);
    expect(env.AUDIT_MAINTENANCE_INTERVAL_MS).toBe(86_400_000);
    expect(validateEnvironment({ AUDIT_MAINTENANCE_INTERVAL_MS: '5000' }).AUDIT_MAINTENANCE_INTERVAL_MS).toBe(5000);
    for (const name of ['COMPLIANCE_EVENTS_PARTITION_INTERVAL_MS', 'AUDIT_MAINTENANCE_INTERVAL_MS']) {
      expect(() => validateEnvironment({ [name]: '999' })).toThrow(new RegExp(`Invalid configuration: ${name} `));
    }
  });

  it.each([
    ['ENCRYPTION_KEYS', { ENCRYPTION_KEYS: '{}', ENCRYPTION_KEYS_FILE: '/keys.json' }],
    ['ENCRYPTION_PASSPHRASE', { ENCRYPTION_PASSPHRASE: 'p', ENCRYPTION_SALT: 's' }],
  ])(
    'refuses a rotation schedule on a keyring from %s, which cannot take the keys it generates',
    (variable, keyring) => {
      expect(() => validateEnvironment({ ...keyring, ENCRYPTION_ROTATION_INTERVAL_DAYS: '90' })).toThrow(
        new ConfigurationError(
          `Invalid configuration: ENCRYPTION_ROTATION_INTERVAL_DAYS needs a file-backed keyring (ENCRYPTION_KEYS_FILE), not ${variable}`,
        ),
      );
    },
  );

  it('takes a rotation schedule with a keyring file (or the generated development one), off by default', () => {
    expect(validateEnvironment({}).ENCRYPTION_ROTATION_INTERVAL_DAYS).toBe(0);
    expect(validateEnvironment({ ENCRYPTION_ROTATION_INTERVAL_DAYS: '90' }).ENCRYPTION_ROTATION_INTERVAL_DAYS).toBe(90);
    const file = {
      ENCRYPTION_KEYS_FILE: '/keys.json',
      ENCRYPTION_PASSPHRASE: 'p',
      ENCRYPTION_ROTATION_INTERVAL_DAYS: '90',
    };
    expect(validateEnvironment(file).ENCRYPTION_ROTATION_INTERVAL_DAYS).toBe(90);
    expect(() => validateEnvironment({ ENCRYPTION_ROTATION_INTERVAL_DAYS: '-1' })).toThrow(
      /^Invalid configuration: ENCRYPTION_ROTATION_INTERVAL_DAYS /,
    );
  });
});
