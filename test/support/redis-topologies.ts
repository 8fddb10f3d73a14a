import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisClients } from '../../src/infrastructure/redis/redis-clients';
import { validateEnvironment } from '../../src/config/environment';
import { redisSettings } from '../../src/config/redis-settings';
import { createServer } from 'node:net';
import { freePort } from './spare-services';

/** True when 127.0.0.1:`port` can be bound right now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too: a node needs both. */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 <= 65_535 && (await bindable(port + 10_000))) return port;
  }
}

/** `RedisClients` for these variables, validated as the app validates them. */
export function redisClientsFor(environment: Record<string, string>): RedisClients {
  return new RedisClients(redisSettings(validateEnvironment(environment)));
}

/** One redis-server (or `--sentinel`) process on a loopback port, with its config file in `dir`. */
class RedisProcess {
  private child?: ChildProcess;
  private output = '';

  constructor(
    readonly port: number,
    private readonly configFile: string,
    private readonly sentinel = false,
  ) {}

  async start(): Promise<void> {
    const args = [this.configFile, ...(this.sentinel ? ['--sentinel'] : [])];
    this.output = '';
    this.child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    const ready = this.sentinel ? /Sentinel ID is|monitor master/ : /Ready to accept connections/;
    while (!ready.test(this.output)) {
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`redis-server on ${this.port} did not start:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no goodbye to clients or replicas, nothing persisted. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

const BASE = ['bind 127.0.0.1', 'save ""', 'appendonly no', 'protected-mode no'];

/** A server certificate (self-signed, for 127.0.0.1) that also serves as the CA everyone trusts. */
export interface RedisTls {
  certFile: string;
  keyFile: string;
}

/** Listen on `port`: plain, or TLS only (replication, cluster bus and sentinel links included). */
function listen(port: number, tls?: RedisTls): string[] {
  if (!tls) return [`port ${port}`];
  return [
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${tls.certFile}`,
    `tls-key-file ${tls.keyFile}`,
    `tls-ca-cert-file ${tls.certFile}`,
    'tls-auth-clients no',
    'tls-replication yes',
    'tls-cluster yes',
  ];
}

const clientTls = (tls?: RedisTls) => (tls ? { tls: { ca: readFileSync(tls.certFile) } } : {});

const waitUntil = async (condition: () => Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
};

/** A sentinel's own authentication: none, `requirepass`, or an ACL user it also uses towards its peers. */
function sentinelAuth(username?: string, password?: string): string[] {
  if (!password) return [];
  if (!username) return [`requirepass ${password}`];
  return [
    'user default off',
    `user ${username} on >${password} allchannels +@all`,
    `sentinel sentinel-user ${username}`,
    `sentinel sentinel-pass ${password}`,
  ];
}

export interface SentinelSetOptions {
  /** requirepass/masterauth of master and replica, and the sentinels' auth-pass. */
  password: string;
  /** requirepass of the sentinels themselves, or with `sentinelUsername` that ACL user's password. */
  sentinelPassword?: string;
  /** An ACL user on the sentinels (`default` turned off); the sentinels log in to each other as it too. */
  sentinelUsername?: string;
  sentinels?: number;
  /** How long a silent master takes to be called down. */
  downAfterMs?: number;
  tls?: RedisTls;
}

/**
 * One master, one replica and (by default) three sentinels, quorum 2, all on spare loopback ports
 * with their configs in a temp dir. Ready once the replica is in sync and every sentinel knows the
 * replica and the other sentinels, so a failover can happen as soon as the master dies.
 */
export class SpareSentinelSet {
  readonly masterName = 'ck-master';
  readonly dir = mkdtempSync(join(tmpdir(), 'ck-sentinel-'));
  readonly data: RedisProcess[] = [];
  readonly sentinels: RedisProcess[] = [];

  private constructor(private readonly options: SentinelSetOptions) {}

  static async start(options: SentinelSetOptions): Promise<SpareSentinelSet> {
    const set = new SpareSentinelSet(options);
    await set.boot();
    return set;
  }

  /** The variables an app needs to use this set. */
  get environment(): Record<string, string | undefined> {
    return {
      REDIS_URL: undefined,
      REDIS_SENTINELS: this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      REDIS_SENTINEL_NAME: this.masterName,
      REDIS_PASSWORD: this.options.password,
      REDIS_SENTINEL_USERNAME: this.options.sentinelUsername,
      REDIS_SENTINEL_PASSWORD: this.options.sentinelPassword,
      ...(this.options.tls ? { REDIS_TLS: 'true', REDIS_TLS_CA_FILE: this.options.tls.certFile } : {}),
    };
  }

  /** The port the sentinels currently name as master (asks the first sentinel still running). */
  async masterPort(): Promise<number> {
    const sentinel = this.sentinels.find((s) => s.running) as RedisProcess;
    const client = this.sentinelClient(sentinel.port);
    try {
      const [, port] = (await client.call('SENTINEL', 'get-master-addr-by-name', this.masterName)) as string[];
      return Number(port);
    } finally {
      client.disconnect();
    }
  }

  /** SIGKILLs whichever node is master now; returns its port. */
  async killMaster(): Promise<number> {
    const port = await this.masterPort();
    await (this.data.find((node) => node.port === port) as RedisProcess).kill();
    return port;
  }

  /** Resolves once every sentinel names a master other than `oldPort`, and that node says it is master. */
  async waitForPromotion(oldPort: number, timeoutMs = 30_000): Promise<number> {
    let promoted = 0;
    await waitUntil(
      async () => {
        const ports = await Promise.all(this.sentinels.filter((s) => s.running).map((s) => this.askMaster(s.port)));
        if (ports.some((port) => port === oldPort || port !== ports[0])) return false;
        const role = await this.withData(ports[0], (client) => client.call('ROLE') as Promise<string[]>);
        promoted = ports[0];
        return role[0] === 'master';
      },
      timeoutMs,
      'no replica was promoted',
    );
    return promoted;
  }

  /** Starts a killed data node again; the sentinels turn it into a replica of the current master. */
  async restart(port: number): Promise<void> {
    await (this.data.find((node) => node.port === port) as RedisProcess).start();
    await waitUntil(
      async () => {
        const info = await this.withData(port, (client) => client.info('replication'));
        return /role:slave/.test(info) && /master_link_status:up/.test(info);
      },
      30_000,
      `the restarted node ${port} did not become an in-sync replica`,
    );
  }

  /** A client on one data node (by port), authenticated. */
  dataClient(port: number): Redis {
    const { password, tls } = this.options;
    return new Redis({ port, host: '127.0.0.1', password, maxRetriesPerRequest: 1, ...clientTls(tls) });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.data].map((node) => node.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async boot(): Promise<void> {
    const { password, sentinelPassword, sentinelUsername, sentinels = 3, downAfterMs = 1_000, tls } = this.options;
    const [masterPort, replicaPort] = [await freePort(), await freePort()];
    // A replica's full sync writes the master's snapshot to disk whatever `save` says: keep it here, one per node.
    const data = (port: number) => [
      ...BASE,
      ...listen(port, tls),
      `requirepass ${password}`,
      `masterauth ${password}`,
      `dir ${this.dir}`,
      `dbfilename dump-${port}.rdb`,
    ];
    this.data.push(this.node(masterPort, data(masterPort)));
    this.data.push(this.node(replicaPort, [...data(replicaPort), `replicaof 127.0.0.1 ${masterPort}`]));
    const ports: number[] = [];
    for (let i = 0; i < sentinels; i++) ports.push(await freePort());
    // Told of the replica and of each other up front: discovery alone takes several seconds.
    const myId = (port: number) => port.toString(16).padStart(40, '0');
    for (const port of ports) {
      const lines = [
        ...listen(port, tls),
        'bind 127.0.0.1',
        'protected-mode no',
        `dir ${this.dir}`,
        `sentinel monitor ${this.masterName} 127.0.0.1 ${masterPort} ${Math.min(2, sentinels)}`,
        `sentinel auth-pass ${this.masterName} ${password}`,
        `sentinel down-after-milliseconds ${this.masterName} ${downAfterMs}`,
        `sentinel failover-timeout ${this.masterName} 5000`,
        `sentinel parallel-syncs ${this.masterName} 1`,
        ...sentinelAuth(sentinelUsername, sentinelPassword),
        `sentinel myid ${myId(port)}`,
        `sentinel known-replica ${this.masterName} 127.0.0.1 ${replicaPort}`,
        ...ports
          .filter((other) => other !== port)
          .map((other) => `sentinel known-sentinel ${this.masterName} 127.0.0.1 ${other} ${myId(other)}`),
      ];
      this.sentinels.push(this.node(port, lines, true));
    }
    await Promise.all(this.data.map((node) => node.start()));
    await waitUntil(
      async () => /master_link_status:up/.test(await this.withData(replicaPort, (c) => c.info('replication'))),
      15_000,
      'the replica did not sync',
    );
    await Promise.all(this.sentinels.map((node) => node.start()));
    await waitUntil(
      async () => {
        const views = await Promise.all(this.sentinels.map((s) => this.sentinelView(s.port)));
        return views.every((view) => view.replicas === 1 && view.sentinels === sentinels - 1);
      },
      30_000,
      'the sentinels did not discover the replica and each other',
    );
  }

  private node(port: number, lines: string[], sentinel = false): RedisProcess {
    const file = join(this.dir, `${port}.conf`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return new RedisProcess(port, file, sentinel);
  }

  private sentinelClient(port: number): Redis {
    const { sentinelUsername, sentinelPassword, tls } = this.options;
    return new Redis({
      port,
      host: '127.0.0.1',
      username: sentinelUsername,
      password: sentinelPassword,
      maxRetriesPerRequest: 1,
      ...clientTls(tls),
    });
  }

  private async askMaster(port: number): Promise<number> {
    const client = this.sentinelClient(port);
    try {
      const [, masterPort] = (await client.call('SENTINEL', 'get-master-addr-by-name', this.masterName)) as string[];
      return Number(masterPort);
    } finally {
      client.disconnect();
    }
  }

  private async sentinelView(port: number): Promise<{ replicas: number; sentinels: number }> {
    const client = this.sentinelClient(port);
    try {
      const replicas = (await client.call('SENTINEL', 'replicas', this.masterName)) as unknown[];
      const others = (await client.call('SENTINEL', 'sentinels', this.masterName)) as unknown[];
      return { replicas: replicas.length, sentinels: others.length };
    } finally {
      client.disconnect();
    }
  }

  private async withData<T>(port: number, work: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.dataClient(port);
    try {
      return await work(client);
    } finally {
      client.disconnect();
    }
  }
}

export interface ClusterOptions {
  password?: string;
  masters?: number;
  /** Replicas per master (default none); a master's replica is promoted once it is down for `nodeTimeoutMs`. */
  replicas?: number;
  /** cluster-node-timeout: how long a silent node takes to be failed. */
  nodeTimeoutMs?: number;
  tls?: RedisTls;
}

/**
 * A Redis Cluster of three masters (by default no replicas) on spare loopback ports, slots split
 * evenly with CLUSTER ADDSLOTSRANGE, the nodes introduced with CLUSTER MEET and replicas attached
 * with CLUSTER REPLICATE (what `redis-cli --cluster create` does, without its interactive prompt).
 * Ready once every node reports `cluster_state:ok` and every replica is in sync.
 */
export class SpareRedisCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'ck-cluster-'));
  readonly nodes: RedisProcess[] = [];

  private constructor(private readonly options: ClusterOptions) {}

  static async start(options: ClusterOptions = {}): Promise<SpareRedisCluster> {
    const cluster = new SpareRedisCluster(options);
    await cluster.boot();
    return cluster;
  }

  get ports(): number[] {
    return this.nodes.map((node) => node.port);
  }

  get environment(): Record<string, string | undefined> {
    return {
      REDIS_URL: undefined,
      REDIS_CLUSTER_NODES: this.ports.map((port) => `127.0.0.1:${port}`).join(','),
      REDIS_PASSWORD: this.options.password,
      ...(this.options.tls ? { REDIS_TLS: 'true', REDIS_TLS_CA_FILE: this.options.tls.certFile } : {}),
    };
  }

  /** A plain client on one node (no redirections followed). */
  nodeClient(port: number): Redis {
    const { password, tls } = this.options;
    return new Redis({ port, host: '127.0.0.1', password, maxRetriesPerRequest: 1, ...clientTls(tls) });
  }

  /** Every key on every running master matching `pattern`, with the node it was found on. */
  async keys(pattern: string): Promise<{ key: string; port: number }[]> {
    const found: { key: string; port: number }[] = [];
    for (const port of await this.masterPorts()) {
      const client = this.nodeClient(port);
      try {
        for await (const keys of client.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>) {
          found.push(...keys.map((key) => ({ key, port })));
        }
      } finally {
        client.disconnect();
      }
    }
    return found;
  }

  /** The running nodes that are masters now (a promoted replica included). */
  async masterPorts(): Promise<number[]> {
    const running = this.nodes.filter((node) => node.running).map((node) => node.port);
    const roles = await Promise.all(
      running.map((port) => this.withNode(port, (c) => c.call('ROLE') as Promise<string[]>)),
    );
    return running.filter((_, i) => roles[i][0] === 'master');
  }

  /** The port of the master serving `key`'s slot, as a running node sees the slot map now. */
  async masterOf(key: string): Promise<number> {
    const [port] = await this.masterPorts();
    return this.withNode(port, async (client) => {
      const slot = (await client.call('CLUSTER', 'KEYSLOT', key)) as number;
      const ranges = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no master serves slot ${slot}`);
      return Number(range[2][1]);
    });
  }

  /** SIGKILLs the node on `port`. */
  async kill(port: number): Promise<void> {
    await (this.nodes.find((node) => node.port === port) as RedisProcess).kill();
  }

  /**
   * Resolves with the port of the replica promoted in place of the killed master `oldPort`, once
   * every running node reports `cluster_state:ok` again.
   */
  async waitForPromotion(oldPort: number, replicaPorts: number[], timeoutMs = 30_000): Promise<number> {
    let promoted = 0;
    await waitUntil(
      async () => {
        const masters = await this.masterPorts();
        const candidate = replicaPorts.find((port) => masters.includes(port));
        if (candidate === undefined || masters.includes(oldPort)) return false;
        const infos = await Promise.all(
          this.nodes
            .filter((node) => node.running)
            .map((node) => this.withNode(node.port, (c) => c.call('CLUSTER', 'INFO') as Promise<string>)),
        );
        promoted = candidate;
        return infos.every((info) => /cluster_state:ok/.test(info));
      },
      timeoutMs,
      `no replica of ${oldPort} was promoted`,
    );
    return promoted;
  }

  /** The ports of the replicas of the master on `port`. */
  async replicasOf(port: number): Promise<number[]> {
    return this.withNode(port, async (client) => {
      const info = await client.info('replication');
      return [...info.matchAll(/^slave\d+:ip=[^,]+,port=(\d+)/gm)].map((match) => Number(match[1]));
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async boot(): Promise<void> {
    const { password, masters = 3, replicas = 0, nodeTimeoutMs = 2_000, tls } = this.options;
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freeClusterPort();
      const file = join(this.dir, `${port}.conf`);
      const lines = [
        ...BASE,
        ...listen(port, tls),
        `dir ${this.dir}`,
        `dbfilename dump-${port}.rdb`,
        'cluster-enabled yes',
        `cluster-config-file nodes-${port}.conf`,
        `cluster-node-timeout ${nodeTimeoutMs}`,
        ...(password ? [`requirepass ${password}`, `masterauth ${password}`] : []),
      ];
      writeFileSync(file, `${lines.join('\n')}\n`);
      this.nodes.push(new RedisProcess(port, file));
    }
    await Promise.all(this.nodes.map((node) => node.start()));
    const clients = this.ports.map((port) => this.nodeClient(port));
    try {
      const per = Math.ceil(16384 / masters);
      await Promise.all(
        clients
          .slice(0, masters)
          .map((client, i) =>
            client.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1))),
          ),
      );
      for (const port of this.ports.slice(1)) await clients[0].call('CLUSTER', 'MEET', '127.0.0.1', String(port));
      const total = String(this.nodes.length);
      await waitUntil(
        async () =>
          (await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>))).every(
            (info) => /cluster_state:ok/.test(info) && info.includes(`cluster_known_nodes:${total}\r\n`),
          ),
        20_000,
        'the cluster did not reach cluster_state:ok with every node known',
      );
      const ids = await Promise.all(clients.slice(0, masters).map((c) => c.call('CLUSTER', 'MYID') as Promise<string>));
      // Replica r of master m is node masters + m * replicas + r.
      await Promise.all(
        clients.slice(masters).map((client, i) => client.call('CLUSTER', 'REPLICATE', ids[Math.floor(i / replicas)])),
      );
      await waitUntil(
        async () => {
          const infos = await Promise.all(clients.slice(masters).map((c) => c.info('replication')));
          return infos.every((info) => /role:slave/.test(info) && /master_link_status:up/.test(info));
        },
        20_000,
        'the replicas did not sync',
      );
    } finally {
      for (const client of clients) client.disconnect();
    }
  }

  private async withNode<T>(port: number, work: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.nodeClient(port);
    try {
      return await work(client);
    } finally {
      client.disconnect();
    }
  }
}

/** A throwaway self-signed certificate for 127.0.0.1 in its own temp dir (servers' cert and the CA file). */
export function aRedisCertificate(): RedisTls & { remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ck-redis-tls-'));
  const tls = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'].concat(
      ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      ['-keyout', tls.keyFile, '-out', tls.certFile],
    ),
    { stdio: 'ignore' },
  );
  return { ...tls, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A TLS-only redis-server on a spare port. */
export class SpareTlsRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'ck-redis-tls-server-'));
  private node?: RedisProcess;

  private constructor(readonly tls: RedisTls) {}

  static async start(tls: RedisTls): Promise<SpareTlsRedis> {
    const server = new SpareTlsRedis(tls);
    const port = await freePort();
    const file = join(server.dir, 'redis.conf');
    writeFileSync(file, `${[...BASE, ...listen(port, tls), `dir ${server.dir}`].join('\n')}\n`);
    server.node = new RedisProcess(port, file);
    await server.node.start();
    return server;
  }

  get port(): number {
    return (this.node as RedisProcess).port;
  }

  async stop(): Promise<void> {
    await this.node?.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
