import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EncryptionSettings } from '../../../src/config/app-config';
import { ConfigurationError } from '../../../src/config/environment';
import { DEV_KEYRING_FILE, loadKeyring, saveKeyringFile } from '../../../src/modules/encryption/keyring.loader';
import { encryptionKeysJson } from '../../support/builders/keyring.builder';

const settings = (overrides: Partial<EncryptionSettings> = {}): EncryptionSettings => ({
  rotationBatchSize: 500,
  rotationIntervalDays: 0,
  ...overrides,
});
const blindIndexKey = randomBytes(32).toString('base64');

describe('loadKeyring', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'ck-keyring-'));

  it('refuses to start in production without explicit keys', () => {
    expect(() => loadKeyring({ settings: settings(), dataDir: dataDir(), isProduction: true })).toThrow(
      ConfigurationError,
    );
  });

  it('refuses a development passphrase in production', () => {
    const passphrase = settings({ passphrase: 'dev', salt: 'salt' });
    expect(() => loadKeyring({ settings: passphrase, dataDir: dataDir(), isProduction: true })).toThrow(
      /required in production/,
    );
  });

  it('loads ENCRYPTION_KEYS with its active key and a separate blind-index key', () => {
    const { keyring, source } = loadKeyring({
      settings: settings({ keysJson: encryptionKeysJson(['k1', 'k2'], 'k1'), blindIndexKey }),
      dataDir: dataDir(),
      isProduction: true,
    });
    expect(keyring.ids).toEqual(['k1', 'k2']);
    expect(keyring.activeId).toBe('k1');
    expect(keyring.blindIndexKey.toString('base64')).toBe(blindIndexKey);
    expect(source).toEqual({ kind: 'environment' });
  });

  it('requires a blind-index key next to explicit keys', () => {
    expect(() =>
      loadKeyring({
        settings: settings({ keysJson: encryptionKeysJson(['k1']) }),
        dataDir: dataDir(),
        isProduction: true,
      }),
    ).toThrow(/BLIND_INDEX_KEY/);
  });

  it('names the problem when a key is not 32 bytes', () => {
    const keysJson = JSON.stringify({ active: 'k1', keys: { k1: 'c2hvcnQ=' } });
    expect(() =>
      loadKeyring({ settings: settings({ keysJson, blindIndexKey }), dataDir: dataDir(), isProduction: true }),
    ).toThrow(/key k1 must be 32 bytes/);
  });

  it('derives the same key from the same passphrase and salt', () => {
    const derive = () =>
      loadKeyring({ settings: settings({ passphrase: 'p', salt: 's' }), dataDir: dataDir(), isProduction: false });
    const first = derive().keyring;
    const second = derive().keyring;
    expect(first.key('pbkdf2')?.equals(second.key('pbkdf2') as Buffer)).toBe(true);
    expect(first.blindIndexKey.equals(first.key('pbkdf2') as Buffer)).toBe(false);
  });

  it('generates a development keyring into DATA_DIR (mode 600) once and reuses it', () => {
    const dir = dataDir();
    const first = loadKeyring({ settings: settings(), dataDir: dir, isProduction: false });
    const file = join(dir, DEV_KEYRING_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadKeyring({ settings: settings(), dataDir: dir, isProduction: false });
    expect(second.keyring.key('dev1')?.equals(first.keyring.key('dev1') as Buffer)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).active).toBe('dev1');
    expect(first.source).toEqual({ kind: 'file', path: file });
  });

  it('rereads its file when asked for a key it lacks, at most once a second', () => {
    const dir = dataDir();
    const mine = loadKeyring({ settings: settings(), dataDir: dir, isProduction: false }).keyring;
    const other = loadKeyring({ settings: settings(), dataDir: dir, isProduction: false }).keyring;
    other.add('k2', randomBytes(32));
    saveKeyringFile(join(dir, DEV_KEYRING_FILE), other);

    expect(mine.key('k2')?.equals(other.key('k2') as Buffer)).toBe(true);
    other.add('k3', randomBytes(32));
    saveKeyringFile(join(dir, DEV_KEYRING_FILE), other);
    expect(mine.key('k3')).toBeUndefined();
    expect(mine.activeId).toBe('dev1');
  });
});
