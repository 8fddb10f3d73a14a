import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { loadCheckpointKey } from '../../../src/modules/audit/checkpoints/checkpoint-key';

describe('loadCheckpointKey', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'ck-audit-key-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const config = (env: Record<string, string> = {}) =>
    new AppConfig(validateEnvironment({ DATA_DIR: dataDir, ...env }));

  it('uses AUDIT_CHECKPOINT_KEY when set and writes no file', () => {
    const key = 'x'.repeat(40);
    expect(loadCheckpointKey(config({ AUDIT_CHECKPOINT_KEY: key })).toString()).toBe(key);
    expect(() => statSync(join(dataDir, 'audit-checkpoint.key'))).toThrow();
  });

  it('refuses to start in production without a configured key', () => {
    expect(() => loadCheckpointKey(config({ NODE_ENV: 'production' }))).toThrow(
      /^Invalid configuration: AUDIT_CHECKPOINT_KEY is required when NODE_ENV=production$/,
    );
    expect(() => statSync(join(dataDir, 'audit-checkpoint.key'))).toThrow();
  });

  it('generates a key into DATA_DIR readable only by its owner, and reuses it on the next boot', () => {
    const first = loadCheckpointKey(config());
    const file = join(dataDir, 'audit-checkpoint.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    expect(loadCheckpointKey(config()).equals(first)).toBe(true);
  });
});
