import { hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { EncryptionSettings } from '../../config/app-config.js';
import { ConfigurationError } from '../../config/environment.js';
import { KEY_BYTES, Keyring } from './keyring.js';

/** OWASP 2023 minimum for PBKDF2-HMAC-SHA256. */
export const PBKDF2_ITERATIONS = 600_000;
export const DEV_KEYRING_FILE = 'encryption-keys.json';
/** How often a miss may reread the keyring file: ciphertexts naming unknown keys must not turn into file reads. */
const REFILL_EVERY_MS = 1_000;

interface KeyringDocument {
  active: string;
  keys: Record<string, string>;
  blindIndexKey?: string;
}

/** Where the keyring came from; only file-backed keyrings can take a new key at runtime. */
export type KeyringSource = { kind: 'file'; path: string } | { kind: 'environment' } | { kind: 'passphrase' };

export interface LoadedKeyring {
  keyring: Keyring;
  source: KeyringSource;
}

export interface KeyringLoadContext {
  settings: EncryptionSettings;
  dataDir: string;
  isProduction: boolean;
}

/**
 * Builds the keyring once at boot from, in order: ENCRYPTION_KEYS, ENCRYPTION_KEYS_FILE, a
 * development passphrase, or (outside production) a generated development keyring in DATA_DIR.
 */
export function loadKeyring({ settings, dataDir, isProduction }: KeyringLoadContext): LoadedKeyring {
  const logger = new Logger('Encryption');
  if (settings.keysJson) {
    return {
      keyring: fromDocument(parse(settings.keysJson, 'ENCRYPTION_KEYS'), settings),
      source: { kind: 'environment' },
    };
  }
  if (settings.keysFile) {
    const document = parse(readFileSync(settings.keysFile, 'utf8'), 'ENCRYPTION_KEYS_FILE');
    return fileBacked(fromDocument(document, settings), settings.keysFile);
  }
  if (isProduction) {
    throw new ConfigurationError(
      'Invalid configuration: ENCRYPTION_KEYS or ENCRYPTION_KEYS_FILE (and BLIND_INDEX_KEY) is required in production',
    );
  }
  if (settings.passphrase) {
    if (!settings.salt)
      throw new ConfigurationError('Invalid configuration: ENCRYPTION_SALT is required with ENCRYPTION_PASSPHRASE');
    const key = pbkdf2Sync(settings.passphrase, settings.salt, PBKDF2_ITERATIONS, KEY_BYTES, 'sha256');
    const blind = settings.blindIndexKey
      ? decodeKey(settings.blindIndexKey, 'BLIND_INDEX_KEY')
      : Buffer.from(hkdfSync('sha256', key, settings.salt, 'blind-index', KEY_BYTES));
    logger.warn('keyring derived from ENCRYPTION_PASSPHRASE: development only');
    return { keyring: new Keyring({ pbkdf2: key }, 'pbkdf2', blind), source: { kind: 'passphrase' } };
  }
  const path = join(dataDir, DEV_KEYRING_FILE);
  const document = readOrCreateDevKeyring(path);
  logger.warn(
    `NO ENCRYPTION KEYS CONFIGURED: using the development keyring ${path}. ` +
      'Data encrypted with it is only as safe as that file; set ENCRYPTION_KEYS in any real deployment.',
  );
  return fileBacked(fromDocument(document, settings), path);
}

/** Adds the keys the file holds that `keyring` lacks (another replica may have written them); never replaces one. */
export function mergeKeyringFile(path: string, keyring: Keyring): void {
  const document = parse(readFileSync(path, 'utf8'), path);
  for (const [id, value] of Object.entries(document.keys)) {
    if (!keyring.has(id)) keyring.add(id, decodeKey(value, `key ${id}`));
  }
}

function fileBacked(keyring: Keyring, path: string): LoadedKeyring {
  let reread = 0;
  keyring.refillWith(() => {
    if (Date.now() - reread < REFILL_EVERY_MS) return;
    reread = Date.now();
    try {
      mergeKeyringFile(path, keyring);
    } catch (error) {
      new Logger('Encryption').warn(`keyring file not reread: ${(error as Error).message}`);
    }
  });
  return { keyring, source: { kind: 'file', path } };
}

/** Writes the keyring back to its file (mode 600), after a key was added or retired. */
export function saveKeyringFile(path: string, keyring: Keyring): void {
  const document: KeyringDocument = {
    active: keyring.activeId,
    keys: Object.fromEntries(keyring.ids.map((id) => [id, (keyring.key(id) as Buffer).toString('base64')])),
    blindIndexKey: keyring.blindIndexKey.toString('base64'),
  };
  writeSecretFile(path, document);
}

function readOrCreateDevKeyring(path: string): KeyringDocument {
  if (existsSync(path)) return parse(readFileSync(path, 'utf8'), path);
  const document: KeyringDocument = {
    active: 'dev1',
    keys: { dev1: randomBytes(KEY_BYTES).toString('base64') },
    blindIndexKey: randomBytes(KEY_BYTES).toString('base64'),
  };
  mkdirSync(join(path, '..'), { recursive: true });
  try {
    // `wx`: when two processes boot at once on one DATA_DIR, the first file wins and both read it.
    writeFileSync(path, JSON.stringify(document, null, 2), { mode: 0o600, flag: 'wx' });
    return document;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parse(readFileSync(path, 'utf8'), path);
  }
}

function writeSecretFile(path: string, document: KeyringDocument): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(document, null, 2), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

function parse(text: string, origin: string): KeyringDocument {
  let document: KeyringDocument;
  try {
    document = JSON.parse(text) as KeyringDocument;
  } catch {
    throw new ConfigurationError(`Invalid configuration: ${origin} is not valid JSON`);
  }
  if (typeof document?.active !== 'string' || typeof document.keys !== 'object' || !document.keys) {
    throw new ConfigurationError(`Invalid configuration: ${origin} needs "active" and "keys"`);
  }
  return document;
}

function fromDocument(document: KeyringDocument, settings: EncryptionSettings): Keyring {
  const blindSource = settings.blindIndexKey ?? document.blindIndexKey;
  if (!blindSource) throw new ConfigurationError('Invalid configuration: BLIND_INDEX_KEY is required');
  const keys = Object.fromEntries(
    Object.entries(document.keys).map(([id, value]) => [id, decodeKey(value, `key ${id}`)]),
  );
  try {
    return new Keyring(keys, document.active, decodeKey(blindSource, 'BLIND_INDEX_KEY'));
  } catch (error) {
    throw new ConfigurationError(`Invalid configuration: encryption keyring: ${(error as Error).message}`);
  }
}

function decodeKey(value: string, label: string): Buffer {
  const key = Buffer.from(value, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new ConfigurationError(`Invalid configuration: ${label} must be ${KEY_BYTES} bytes, base64-encoded`);
  }
  return key;
}
