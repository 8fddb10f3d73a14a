import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../../src/config/app-config';
import { ErasureLedger } from '../../../src/modules/subjects/erasure-ledger';

const ID = '3ba19932-225a-402f-8f4f-cd30a0d6fcb0';

describe('ErasureLedger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ck-ledger-'));
  const path = join(dir, 'nested', 'erasure-ledger.jsonl');
  const ledger = new ErasureLedger({ privacy: { erasureLedgerFile: path } } as unknown as AppConfig);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads nothing before the first erasure', () => {
    expect(ledger.read()).toEqual([]);
  });

  it('appends one JSON line per erasure into a file only its owner can read', () => {
    ledger.append({ subjectId: ID, erasedAt: '2026-12-03T10:00:00.000Z' });
    ledger.append({ subjectId: ID, erasedAt: '2026-12-03T10:01:00.000Z' });
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(ledger.read().map((entry) => entry.erasedAt)).toEqual([
      '2026-12-03T10:00:00.000Z',
      '2026-12-03T10:01:00.000Z',
    ]);
  });

  it('skips a torn last line and lines that are not entries', () => {
    appendFileSync(path, '{"subjectId":"not-a-uuid","erasedAt":"x"}\n{"subjectId":"3ba1');
    expect(ledger.read()).toHaveLength(2);
  });
});
