import { randomBytes } from 'node:crypto';
import { encryptionKeysJson } from '../support/builders/keyring.builder';
import { startAppProcess } from '../support/process';

describe('configuration at boot', () => {
  it('refuses to start with a one-line message naming the bad variable', async () => {
    const failure = startAppProcess(
      { PORT: 'not-a-port', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' },
      20_000,
    );
    await expect(failure).rejects.toThrow(/app exited with 1 before listening:\nInvalid configuration: PORT [^\n]+\n$/);
  });
});

describe('the Redis topology at boot', () => {
  it('refuses two topologies at once in one line, without echoing the password in either', async () => {
    const failure = startAppProcess(
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
        REDIS_URL: 'redis://:url-secret@127.0.0.1:6390',
        REDIS_CLUSTER_NODES: '127.0.0.1:7000',
        REDIS_PASSWORD: 'cluster-secret',
      },
      20_000,
    );
    await expect(failure).rejects.toThrow(
      /app exited with 1 before listening:\nInvalid configuration: REDIS_CLUSTER_NODES cannot be combined with REDIS_URL[^\n]*\n$/,
    );
    await expect(failure).rejects.not.toThrow(/secret/);
  });
});

describe('the rotation schedule at boot', () => {
  it('refuses a schedule on a keyring from ENCRYPTION_KEYS in one line, without echoing a key', async () => {
    const keys = encryptionKeysJson(['k1']);
    const failure = startAppProcess(
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
        ENCRYPTION_KEYS: keys,
        BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
        ENCRYPTION_ROTATION_INTERVAL_DAYS: '90',
      },
      20_000,
    );
    await expect(failure).rejects.toThrow(
      /app exited with 1 before listening:\nInvalid configuration: ENCRYPTION_ROTATION_INTERVAL_DAYS needs a file-backed keyring \(ENCRYPTION_KEYS_FILE\), not ENCRYPTION_KEYS\n$/,
    );
    const secret = (JSON.parse(keys) as { keys: { k1: string } }).keys.k1;
    await expect(failure).rejects.not.toThrow(secret);
  });
});
