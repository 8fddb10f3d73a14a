import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killProcessesUsing, PROJECT_ROOT, RecordedProcess, spawnRecorded } from '../../support/cli-processes';

const MAIN = join(PROJECT_ROOT, 'dist', 'src', 'main.js');
const ADMIN = 'admin@localhost.localdomain';

describe('the first admin on the embedded default', () => {
  const dataDirs: string[] = [];
  let app: RecordedProcess | undefined;

  afterEach(async () => {
    if (app && app.child.exitCode === null) {
      app.child.kill('SIGTERM');
      await app.exited(20_000).catch(() => app?.kill());
    }
    for (const dir of dataDirs) killProcessesUsing(dir);
  });

  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  async function boot(environment: Record<string, string> = {}): Promise<{ app: RecordedProcess; baseUrl: string }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ck-first-admin-'));
    dataDirs.push(dataDir);
    app = spawnRecorded(process.execPath, [MAIN], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ...environment });
    const [, port] = await app.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 90_000);
    return { app, baseUrl: `http://127.0.0.1:${port}` };
  }

  const login = (baseUrl: string, password: string) =>
    fetch(`${baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN, password }),
    });

  it('prints a generated password once as a plain stderr line, and in no log line but the one it had', async () => {
    const { app, baseUrl } = await boot();

    const plain = app
      .stderr()
      .match(new RegExp(`^First admin: ${ADMIN} {2}password: (\\S+) {2}\\(generated, shown once\\)$`, 'gm'));
    expect(plain).toHaveLength(1);
    const password = / password: (\S+) /.exec(plain![0])![1];
    const lines = (app.stdout() + app.stderr()).split('\n').filter((line) => line.includes(password));
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines.find((line) => line.startsWith('{'))!)).toMatchObject({
      level: 40,
      context: 'AdminBootstrap',
      msg: `created admin ${ADMIN} with generated password ${password} (shown once)`,
    });
    expect((await login(baseUrl, password)).status).toBe(200);
  }, 120_000);

  it('prints no password when ADMIN_PASSWORD is given, and that password logs the admin in', async () => {
    const given = 'given-first-admin-password-7f3a';
    const { app, baseUrl } = await boot({ ADMIN_PASSWORD: given });

    expect(app.stderr()).not.toContain('First admin');
    expect(app.stdout()).not.toContain('generated password');
    expect(app.stdout() + app.stderr()).not.toContain(given);
    expect((await login(baseUrl, given)).status).toBe(200);
  }, 120_000);
});
