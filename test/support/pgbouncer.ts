import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, userIds } from './spare-services.js';

export interface PgBouncerTarget {
  host: string;
  port: number;
}

/**
 * A PgBouncer (Debian's `pgbouncer`) in transaction pooling mode on a free loopback port, in front
 * of `target`: every database there is reachable under its own name. Trust auth, as the machine's
 * test Postgres has; run as the `postgres` user because PgBouncer refuses root.
 */
export class SparePgBouncer {
  readonly dir = mkdtempSync(join(tmpdir(), 'ck-pgbouncer-'));
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly target: PgBouncerTarget,
    private readonly poolSize: number,
  ) {}

  static async start(target: PgBouncerTarget, poolSize = 20): Promise<SparePgBouncer> {
    const bouncer = new SparePgBouncer(await freePort(), target, poolSize);
    await bouncer.launch();
    return bouncer;
  }

  /** `url` (a database on the target) as reached through this PgBouncer. */
  through(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** A statement on PgBouncer's admin console (`SHOW POOLS`, `SHOW CONFIG`, ...). */
  async admin<T = Record<string, unknown>>(command: string): Promise<T[]> {
    const client = new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database: 'pgbouncer' });
    await client.connect();
    try {
      // The console speaks only the simple protocol.
      const result = await client.query({ text: command, queryMode: 'simple' } as unknown as string);
      return result.rows as T[];
    } finally {
      await client.end();
    }
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'pgbouncer.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const { uid, gid } = userIds('postgres');
    const ini = join(this.dir, 'pgbouncer.ini');
    writeFileSync(join(this.dir, 'userlist.txt'), '"postgres" ""\n');
    writeFileSync(
      ini,
      [
        '[databases]',
        `* = host=${this.target.host} port=${this.target.port}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${this.port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(this.dir, 'userlist.txt')}`,
        'admin_users = postgres',
        'pool_mode = transaction',
        'max_client_conn = 1000',
        `default_pool_size = ${this.poolSize}`,
        `logfile = ${join(this.dir, 'pgbouncer.log')}`,
        'log_connections = 0',
        'log_disconnections = 0',
        '',
      ].join('\n'),
    );
    chownSync(this.dir, uid, gid);
    for (const file of ['pgbouncer.ini', 'userlist.txt']) chownSync(join(this.dir, file), uid, gid);
    this.child = spawn('pgbouncer', [ini], { uid, gid, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`pgbouncer exited: ${stderr}${this.log()}`);
      try {
        await this.admin('SHOW VERSION');
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`pgbouncer did not start: ${(error as Error).message}\n${this.log()}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}
