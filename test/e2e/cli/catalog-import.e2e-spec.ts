import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBuilt } from '../../support/cli-processes';
import { createTestDatabase, TestDatabase } from '../../support/database';

const CATALOG_IMPORT = 'dist/src/cli/catalog-import.js';
const LOW = path.join(
  __dirname,
  '../../../../shared/oscal/NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog-min.json',
);

describe('catalog:import', () => {
  let db: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'ck-catalog-import-'));
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  });
  const run = (args: string[]) => runBuilt(CATALOG_IMPORT, args, { DATA_DIR: dataDir, DATABASE_URL: db.url });

  it('imports a catalog file into DATABASE_URL, and a second run changes nothing', async () => {
    const first = await run([LOW, '--framework', 'nist-800-53-low']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^imported .+ as NIST-800-53-LOW in .+: (\d+) controls \(\1 new, 0 updated/m);
    const again = await run([LOW, '--framework', 'NIST-800-53-LOW']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/\(0 new, 0 updated, (\d+) unchanged, 0 removed\)/);
    const [{ n }] = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM controls WHERE framework = 'NIST-800-53-LOW'`,
    );
    expect(Number(first.stdout.match(/: (\d+) controls/)?.[1])).toBe(Number(n));
  });

  it('exits 2 with the usage on a missing framework, and 1 naming the field on an invalid catalog', async () => {
    const usage = await run([LOW]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npm run catalog:import');
    const bad = path.join(dataDir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ catalog: { uuid: 'x', metadata: { title: 'T' } } }));
    const invalid = await run([bad, '--framework', 'BAD']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('catalog.uuid');
  });
});
