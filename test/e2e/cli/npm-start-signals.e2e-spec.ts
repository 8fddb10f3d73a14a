import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  embeddedPostmasterPid,
  killProcessesUsing,
  processesUsing,
  PROJECT_ROOT,
  RecordedProcess,
  spawnRecorded,
} from '../../support/cli-processes';
import { waitFor } from '../../support/wait-for';

const SOURCES = [
  'src',
  'bench',
  'test',
  'ormconfig.ts',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
];

/**
 * `npm start` exactly as a user runs it (build included), in a scratch copy of the sources so
 * its build does not rewrite the dist/ other test files are running from.
 */
describe('npm start on the embedded default', () => {
  const project = mkdtempSync(join(tmpdir(), 'ck-npm-start-'));
  const dataDirs: string[] = [];
  let npm: RecordedProcess | undefined;

  beforeAll(() => {
    for (const entry of SOURCES) cpSync(join(PROJECT_ROOT, entry), join(project, entry), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(project, 'node_modules'));
  });

  afterEach(async () => {
    await npm?.kill();
    for (const dir of dataDirs) killProcessesUsing(dir);
  });

  afterAll(() => {
    for (const dir of [project, ...dataDirs]) rmSync(dir, { recursive: true, force: true });
  });

  async function startNpm(...args: string[]): Promise<{ npm: RecordedProcess; dataDir: string; port: number }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ck-npm-start-data-'));
    dataDirs.push(dataDir);
    npm = spawnRecorded('npm', args, { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }, project);
    const [, address, port] = await npm.waitFor(/listening on http:\/\/([\d.]+):(\d+)/, 120_000);
    // HOST defaults to 0.0.0.0, and the line says so rather than a loopback address.
    expect(address).toBe('0.0.0.0');
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    return { npm, dataDir, port: Number(port) };
  }

  function expectNothingLeft(process: RecordedProcess, dataDir: string): void {
    expect(processesUsing(dataDir)).toEqual([]);
    expect(embeddedPostmasterPid(dataDir)).toBeUndefined();
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const output = process.stdout() + process.stderr();
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toMatch(/"level":(50|60)/);
  }

  it('stops the app and its PostgreSQL when the npm process gets SIGTERM', async () => {
    const { npm, dataDir } = await startNpm('start');

    npm.child.kill('SIGTERM');

    expect(await npm.exited(20_000)).toBe(0);
    await waitFor(() => processesUsing(dataDir).length === 0, 5_000).catch(() => undefined);
    expectNothingLeft(npm, dataDir);
  }, 180_000);

  it('stops cleanly on Ctrl-C, which the terminal sends to every process of the foreground group', async () => {
    // `start` is `npm run build && exec node …` and `start:prod` the same without the build: once
    // the app listens both leave the same processes, so this one skips a second build.
    if (!existsSync(join(project, 'dist', 'src', 'main.js'))) {
      expect(await spawnRecorded('npm', ['run', 'build'], {}, project).exited(120_000)).toBe(0);
    }
    const { npm, dataDir } = await startNpm('run', 'start:prod');

    process.kill(-npm.child.pid!, 'SIGINT');

    expect(await npm.exited(20_000)).toBe(0);
    await waitFor(() => processesUsing(dataDir).length === 0, 5_000).catch(() => undefined);
    expectNothingLeft(npm, dataDir);
    expect(npm.stdout()).not.toContain('the database system is shutting down');
    expect(npm.stdout()).not.toContain('terminating connection due to administrator command');
  }, 180_000);
});
