import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Redis on a spare loopback port, owned by the test: stop and start it at will. */
export class SpareRedis {
  private child?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let output = '';
    this.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!output.includes('Ready to accept connections')) {
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`redis did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** A throwaway PostgreSQL 15 cluster in a temp dir on a spare port, run as the `postgres` user. */
export class SparePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'ck-drill-pg-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  init(): Promise<void> {
    chmodSync(this.dir, 0o700);
    const { uid, gid } = userIds('postgres');
    chownSync(this.dir, uid, gid);
    return this.asPostgres(`${PG_BIN}/initdb`, [
      '-D',
      join(this.dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
    ]);
  }

  start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir}`;
    return this.asPostgres(`${PG_BIN}/pg_ctl`, [
      '-D',
      join(this.dir, 'data'),
      '-o',
      options,
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-t',
      '30',
      'start',
    ]);
  }

  /** `immediate` is a crash from the clients' point of view: connections drop without goodbye. */
  stop(mode: 'fast' | 'immediate' = 'immediate'): Promise<void> {
    return this.asPostgres(`${PG_BIN}/pg_ctl`, ['-D', join(this.dir, 'data'), '-m', mode, '-w', '-t', '30', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Asynchronous: the app under test runs in this process and must keep serving meanwhile. */
  protected async asPostgres(command: string, args: string[]): Promise<void> {
    await promisify(execFile)('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 });
  }
}

export function userIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name]).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}
