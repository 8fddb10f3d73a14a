import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedPostmasterPid, killProcessesUsing, processesUsing, runBuilt } from '../../support/cli-processes';
import { createTestDatabase, TestDatabase } from '../../support/database';

const USER_CREATE = 'dist/src/cli/user-create.js';

describe('user:create with no app running', () => {
  const dataDirs: string[] = [];
  const freshDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-cli-alone-'));
    dataDirs.push(dir);
    return dir;
  };
  let db: TestDatabase | undefined;

  afterAll(async () => {
    for (const dir of dataDirs) {
      killProcessesUsing(dir);
      rmSync(dir, { recursive: true, force: true });
    }
    await db?.drop();
  });

  it('starts the embedded cluster for the command, stops it again and exits 0', async () => {
    const dataDir = freshDataDir();
    const result = await runBuilt(USER_CREATE, ['--email', 'solo@example.com', '--role', 'auditor'], {
      DATA_DIR: dataDir,
    });

    expect(result.stderr).not.toContain('is not a function');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^created auditor solo@example\\.com \\(id [0-9a-f-]{36}\\) in the embedded PostgreSQL in ${dataDir}/postgres \\(127\\.0\\.0\\.1:\\d+, started by this process\\)$`,
        'm',
      ),
    );
    expect(embeddedPostmasterPid(dataDir)).toBeUndefined();
    expect(processesUsing(dataDir)).toEqual([]);
  });

  it('uses DATABASE_URL when it is set, names that database and exits 0', async () => {
    db = await createTestDatabase();
    const result = await runBuilt(USER_CREATE, ['--email', 'configured@example.com', '--role', 'service'], {
      DATA_DIR: freshDataDir(),
      DATABASE_URL: db.url,
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^created service configured@example\\.com \\(id [0-9a-f-]{36}\\) in database ${db.name} on 127\\.0\\.0\\.1:5432 \\(DATABASE_URL\\)$`,
        'm',
      ),
    );
    expect(await db.query('SELECT role FROM users')).toEqual([{ role: 'service' }]);
  });

  it('names the real cause, not a log it did not show, when the embedded cluster cannot start', async () => {
    const dataDir = freshDataDir();
    mkdirSync(join(dataDir, 'postgres'));
    writeFileSync(join(dataDir, 'postgres', 'PG_VERSION'), '9.6\n');
    const result = await runBuilt(USER_CREATE, ['--email', 'nobody@example.com'], { DATA_DIR: dataDir });

    expect(result.code).toBe(1);
    // The cluster directory has a PG_VERSION but no configuration: postgres says so and exits.
    expect(result.stderr).toContain(
      `\nuser:create failed: embedded PostgreSQL did not start from ${dataDir}/postgres: postgres: could not access the server configuration file`,
    );
    expect(result.stderr).not.toContain('log above');
    expect(processesUsing(dataDir)).toEqual([]);
  });
});
