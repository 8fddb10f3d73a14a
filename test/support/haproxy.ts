import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './spare-services.js';

export interface HaproxyServer {
  /** The name in logs and stats (`app1`, ...). */
  name: string;
  port: number;
}

/** One request as HAProxy logged it. */
export interface ProxiedRequest {
  /** The request's `X-Request-Id`, `-` when it sent none. */
  requestId: string;
  /** The server that answered (or was being waited on), `<NOSRV>` when none was chosen. */
  server: string;
  /** The status sent to the client; -1 when the client went away first. */
  status: number;
  /** HAProxy's two-letter termination state: `--` normal, `SH` the server closed before its headers. */
  termination: string;
  /** Connection retries, `+` in front when the last one was redispatched to another server. */
  retries: string;
  totalMs: number;
}

export interface HaproxyOptions {
  /** Interval of the readiness check; a server is down after 2 failed checks, up after 2 good ones. */
  checkIntervalMs?: number;
  /** How long one check may take (default 2 s). */
  checkTimeoutMs?: number;
  /** Connection retries (on another server: `option redispatch 1`). */
  retries?: number;
  /** Log every request (default); a benchmark turns it off. */
  log?: boolean;
}

const REQUEST_LINE = /^REQ (\S+) (\S+) (-?\d+) (\S\S) (\+?\d+) (-?\d+)$/;

/**
 * Debian's HAProxy in front of app replicas on loopback, from a config in a temp dir: round robin,
 * a server taken out after failing `GET /health/ready`, and retries (redispatched to another server)
 * on connection failure only. A request already sent to a server that dies is never resent: the
 * client gets the 502, so a drill counts exactly the requests that were in flight there.
 * Every request is logged to stdout with its `X-Request-Id` and the server that took it.
 */
export class SpareHaproxy {
  readonly dir = mkdtempSync(join(tmpdir(), 'ck-haproxy-'));
  private child?: ChildProcess;
  private output = '';

  private constructor(
    readonly port: number,
    readonly servers: HaproxyServer[],
    private readonly options: Required<HaproxyOptions>,
  ) {}

  static async start(servers: HaproxyServer[], options: HaproxyOptions = {}): Promise<SpareHaproxy> {
    const proxy = new SpareHaproxy(await freePort(), servers, {
      checkIntervalMs: options.checkIntervalMs ?? 500,
      checkTimeoutMs: options.checkTimeoutMs ?? 2_000,
      retries: options.retries ?? 3,
      log: options.log ?? true,
    });
    await proxy.launch();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Every request logged so far (HAProxy logs a request when it ends). */
  requests(): ProxiedRequest[] {
    return this.output.split('\n').flatMap((line) => {
      const match = REQUEST_LINE.exec(line.trim());
      if (!match) return [];
      const [, requestId, server, status, termination, retries, totalMs] = match;
      return [{ requestId, server, status: Number(status), termination, retries, totalMs: Number(totalMs) }];
    });
  }

  /** Server name → HAProxy's status (`UP`, `DOWN`, `UP 1/2`, ...), from the stats socket. */
  async states(): Promise<Record<string, string>> {
    const csv = await this.command('show stat');
    const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
    const columns = header.split(',');
    const [proxy, server, status] = ['pxname', 'svname', 'status'].map((name) => columns.indexOf(name));
    return Object.fromEntries(
      rows
        .map((row) => row.split(','))
        .filter((cells) => cells[proxy] === 'replicas' && !['BACKEND', 'FRONTEND'].includes(cells[server]))
        .map((cells) => [cells[server], cells[status]]),
    );
  }

  async waitForState(server: string, state: 'UP' | 'DOWN', timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.states())[server] !== state) {
      if (Date.now() > deadline) throw new Error(`haproxy: ${server} not ${state} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get socket(): string {
    return join(this.dir, 'admin.sock');
  }

  private command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let answer = '';
      const client = connect(this.socket, () => client.end(`${line}\n`));
      client.setEncoding('utf8');
      client.on('data', (chunk: string) => (answer += chunk));
      client.on('end', () => resolve(answer));
      client.on('error', reject);
    });
  }

  private config(): string {
    const { checkIntervalMs, checkTimeoutMs, retries, log } = this.options;
    return [
      'global',
      '  log stdout format raw local0',
      `  stats socket ${this.socket} mode 600 level admin`,
      '  maxconn 4096',
      'defaults',
      '  mode http',
      ...(log ? ['  log global', '  option dontlognull'] : []),
      '  timeout connect 1s',
      '  timeout client 60s',
      '  timeout server 60s',
      `  timeout check ${checkTimeoutMs}`,
      `  retries ${retries}`,
      // The default, spelled out: a request that reached a server is never sent again.
      '  retry-on conn-failure',
      '  option redispatch 1',
      'frontend app',
      `  bind 127.0.0.1:${this.port}`,
      '  capture request header X-Request-Id len 100',
      '  log-format "REQ %[capture.req.hdr(0)] %s %ST %ts %rc %Ta"',
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      '  option httpchk GET /health/ready',
      '  http-check expect status 200',
      `  default-server inter ${checkIntervalMs} fall 2 rise 2`,
      ...this.servers.map(({ name, port }) => `  server ${name} 127.0.0.1:${port} check`),
      '',
    ].join('\n');
  }

  private async launch(): Promise<void> {
    const file = join(this.dir, 'haproxy.cfg');
    writeFileSync(file, this.config());
    this.child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const record = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout?.on('data', record);
    this.child.stderr?.on('data', record);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`haproxy exited:\n${this.output}`);
      try {
        await this.states();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`haproxy did not start: ${(error as Error).message}\n${this.output}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}
