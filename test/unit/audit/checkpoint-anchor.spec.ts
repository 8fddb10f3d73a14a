import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { createCheckpointAnchor } from '../../../src/modules/audit/checkpoints/checkpoint-anchor';

describe('createCheckpointAnchor', () => {
  const dataSource = { query: jest.fn().mockResolvedValue([{ name: 'ck_main' }]) } as unknown as DataSource;
  const anchor = (env: Record<string, string>) =>
    createCheckpointAnchor(new AppConfig(validateEnvironment(env)), dataSource);

  it('stops the boot naming the variable when a sink lacks its target', () => {
    expect(() => anchor({ AUDIT_ANCHOR: 'http' })).toThrow(
      /^Invalid configuration: AUDIT_ANCHOR_URL is required when AUDIT_ANCHOR=http$/,
    );
    expect(() => anchor({ AUDIT_ANCHOR: 'syslog' })).toThrow(
      /^Invalid configuration: AUDIT_ANCHOR_SYSLOG is required when AUDIT_ANCHOR=syslog$/,
    );
  });

  it('refuses a syslog target that is not udp:// or tcp://host:port', () => {
    expect(() => validateEnvironment({ AUDIT_ANCHOR_SYSLOG: 'syslog.example:514' })).toThrow(/AUDIT_ANCHOR_SYSLOG/);
    expect(validateEnvironment({ AUDIT_ANCHOR_SYSLOG: 'tcp://[::1]:6514' }).AUDIT_ANCHOR_SYSLOG).toBe(
      'tcp://[::1]:6514',
    );
  });

  it('writes to DATA_DIR/audit-anchors/<database>.jsonl by default', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ck-anchor-default-'));
    try {
      const sink = anchor({ DATA_DIR: dataDir });
      expect(sink.sink).toBe('file');
      await sink.append({
        id: 1,
        seq: 1,
        prevSignature: '0'.repeat(64),
        kind: 'periodic',
        createdAt: new Date('2026-12-01T00:00:00Z'),
        heads: [],
        signature: 'a'.repeat(64),
      });
      const line = JSON.parse(readFileSync(join(dataDir, 'audit-anchors', 'ck_main.jsonl'), 'utf8'));
      expect(line).toMatchObject({ database: 'ck_main', seq: 1, signature: 'a'.repeat(64) });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
