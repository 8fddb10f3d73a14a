import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBuilt } from '../../support/cli-processes';
import { createTestDatabase, TestDatabase } from '../../support/database';

const CATALOG_IMPORT = 'dist/src/cli/catalog-import.js';
const CATALOG_MAPPINGS = 'dist/src/cli/catalog-mappings.js';
const DEMO = path.join(__dirname, '../../../src/cli/demo');
const HEADER = 'from_framework,from_control,relationship,to_framework,to_control,strength,rationale';

describe('catalog:mappings', () => {
  let db: TestDatabase;
  let dataDir: string;
  const environment = () => ({ DATA_DIR: dataDir, DATABASE_URL: db.url });
  const run = (args: string[]) => runBuilt(CATALOG_MAPPINGS, args, environment());
  const aFile = (name: string, text: string) => {
    const file = path.join(dataDir, name);
    writeFileSync(file, text);
    return file;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'ck-catalog-mappings-'));
    for (const [file, framework] of [
      ['gdpr.catalog.json', 'GDPR'],
      ['iso27001.catalog.json', 'ISO27001'],
    ]) {
      const imported = await runBuilt(CATALOG_IMPORT, [path.join(DEMO, file), '--framework', framework], environment());
      expect(imported.code).toBe(0);
    }
  }, 120_000);
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  });

  it('imports a CSV file under --source, and a second run changes nothing', async () => {
    const csv = aFile(
      'demo.csv',
      `${HEADER}\r\nGDPR,Art.32-1a,intersects-with,ISO27001,a-8-24,8,"Both, in short: encrypt."\r\n`,
    );
    const first = await run([csv, '--source', 'cli-csv']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^imported .+demo\.csv as source "cli-csv" in .+: 1 mappings \(1 new, 0 updated, 0 unchanged\)$/m,
    );
    const again = await run([csv, '--source', 'cli-csv']);
    expect(again.stdout).toMatch(/: 1 mappings \(0 new, 0 updated, 1 unchanged\)/);
    expect(await db.query(`SELECT rationale FROM control_mappings WHERE source = 'cli-csv'`)).toEqual([
      { rationale: 'Both, in short: encrypt.' },
    ]);
  });

  it('imports a JSON file, which names its own source', async () => {
    const json = aFile(
      'demo.json',
      JSON.stringify({
        source: 'cli-json',
        mappings: [
          {
            from: { framework: 'gdpr', control: 'Art.32' },
            to: { framework: 'GDPR', control: 'Art.5-1f' },
            relationship: 'subset-of',
          },
        ],
      }),
    );
    const result = await run([json]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/as source "cli-json" .*: 1 mappings \(1 new/);
  });

  it('exits 2 with the usage on a missing or misplaced --source or an unknown file type', async () => {
    const csv = aFile('usage.csv', `${HEADER}\r\n`);
    const json = aFile('usage.json', '{}');
    for (const args of [[csv], [json, '--source', 'x'], [aFile('usage.txt', ''), '--source', 'x']]) {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('usage: npm run catalog:mappings');
    }
  });

  it('exits 1 naming the line and column of each bad value, and writes nothing', async () => {
    const bad = aFile(
      'bad.csv',
      `${HEADER}\r\nGDPR,Art.32,equivalent,ISO27001,A.8.24,,\r\nGDPR,Art.32,cousin-of,ISO27001,A.8.99,,\r\n`,
    );
    const result = await run([bad, '--source', 'cli-bad']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('line 3, relationship: relationship must be one of the following values');
    expect(await db.query(`SELECT 1 FROM control_mappings WHERE source = 'cli-bad'`)).toEqual([]);
  });
});
