import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedPostmasterPid, queryEmbedded, runBuilt } from '../../support/cli-processes';
import { AppProcess, startAppProcess } from '../../support/process';

const USER_CREATE = 'dist/src/cli/user-create.js';
const SEED_DEMO = 'dist/src/cli/seed-demo.js';
const DEMO_MAPPINGS = `SELECT count(*)::int AS n FROM control_mappings WHERE source = 'compliance-kit-demo (illustrative)'`;

describe('user:create and seed:demo while the app runs on the embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ck-cli-beside-'));
  const environment = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' };
  let app: AppProcess;
  let postmaster: number | undefined;

  beforeAll(async () => {
    app = await startAppProcess(environment, 90_000);
    postmaster = embeddedPostmasterPid(dataDir);
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the user in the cluster the app runs, says which, leaves that cluster running and exits 0', async () => {
    const result = await runBuilt(USER_CREATE, ['--email', 'jane@example.com', '--role', 'analyst'], {
      DATA_DIR: dataDir,
    });

    expect(result.stderr).not.toContain('did not start');
    expect(result.code).toBe(0);
    const created = new RegExp(
      `^created analyst jane@example\\.com \\(id ([0-9a-f-]{36})\\) in the embedded PostgreSQL already running from ${dataDir}/postgres \\(127\\.0\\.0\\.1:\\d+\\)$`,
      'm',
    ).exec(result.stdout);
    expect(created).not.toBeNull();
    expect(result.stdout).toMatch(/^password: \S{24}$/m);
    expect(await queryEmbedded(dataDir, 'SELECT role FROM users WHERE id = $1', [created![1]])).toEqual([
      { role: 'analyst' },
    ]);
    expect(embeddedPostmasterPid(dataDir)).toBe(postmaster);
    expect((await fetch(`${app.baseUrl}/health/ready`)).status).toBe(200);
  });

  it('refuses a duplicate email with a one-line reason and exit code 1', async () => {
    await runBuilt(USER_CREATE, ['--email', 'twice@example.com'], { DATA_DIR: dataDir });
    const again = await runBuilt(USER_CREATE, ['--email', 'twice@example.com'], { DATA_DIR: dataDir });

    expect(again.code).toBe(1);
    expect(again.stderr).toContain('user:create failed: An active user already has this email.\n');
    expect(again.stdout).not.toContain('created');
  });

  it('refuses an unknown role with the usage and exit code 2, before connecting to anything', async () => {
    const result = await runBuilt(USER_CREATE, ['--email', 'x@example.com', '--role', 'boss'], { DATA_DIR: dataDir });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('user:create: unknown role "boss"\nusage: npm run user:create');
    expect(result.stdout).toBe('');
  });

  it('seeds demo records into the database of the running app and exits 0', async () => {
    const result = await runBuilt(SEED_DEMO, ['--records', '40', '--days', '7'], { DATA_DIR: dataDir });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^seeded 40 records over 7 days \\(seed 42\\) into the embedded PostgreSQL already running from ${dataDir}/postgres`,
        'm',
      ),
    );
    expect(await queryEmbedded(dataDir, 'SELECT count(*)::int AS n FROM compliance_records')).toEqual([{ n: 40 }]);
    expect(embeddedPostmasterPid(dataDir)).toBe(postmaster);
  });

  it('seeds the illustrative catalogs and mappings first, and the records name their controls', async () => {
    expect(await queryEmbedded(dataDir, 'SELECT framework FROM control_catalogs ORDER BY 1')).toEqual(
      ['GDPR', 'HIPAA', 'ISO27001', 'PCI-DSS', 'SOC2'].map((framework) => ({ framework })),
    );
    expect(await queryEmbedded(dataDir, DEMO_MAPPINGS)).toEqual([{ n: 16 }]);
    const [{ remarks }] = await queryEmbedded<{ remarks: string }>(
      dataDir,
      `SELECT metadata->>'remarks' AS remarks FROM control_catalogs WHERE framework = 'ISO27001'`,
    );
    expect(remarks).toMatch(/^Illustrative catalog written for the Compliance Kit demo; not the official text/);
    const unknown = `SELECT count(*)::int AS n FROM compliance_records r
      WHERE NOT EXISTS (SELECT 1 FROM controls c WHERE c.framework = r.framework
                          AND (c.control_id = r.control_id OR c.label = r.control_id))`;
    expect(await queryEmbedded(dataDir, unknown)).toEqual([{ n: 0 }]);
    const [{ n: onEncryption }] = await queryEmbedded<{ n: number }>(
      dataDir,
      `SELECT count(*)::int AS n FROM compliance_records r
         JOIN controls c ON c.framework = r.framework AND c.label = r.control_id
        WHERE c.title ILIKE '%encryption%'`,
    );
    expect(onEncryption).toBeGreaterThan(0);
  });

  it('seeds again without duplicating catalogs or mappings', async () => {
    const controls = 'SELECT count(*)::int AS n FROM controls';
    const before = await queryEmbedded(dataDir, controls);
    const result = await runBuilt(SEED_DEMO, ['--records', '1', '--days', '1'], { DATA_DIR: dataDir });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/; 5 illustrative catalogs \((\d+) controls, 16 mappings\);/);
    expect(await queryEmbedded(dataDir, controls)).toEqual(before);
    expect(await queryEmbedded(dataDir, DEMO_MAPPINGS)).toEqual([{ n: 16 }]);
  });
});
