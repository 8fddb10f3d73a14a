import { HaproxyOptions, SpareHaproxy } from './haproxy.js';
import { AppProcess, startAppProcess } from './process.js';
import { freePort } from './spare-services.js';

/** One process of a replica: a restart is a new life on the same port. */
export interface ReplicaLife {
  replica: number;
  process: AppProcess;
  startedAt: number;
  /** Just before SIGKILL was sent. */
  killedAt?: number;
  /** When the process was seen to exit. */
  diedAt?: number;
}

/**
 * `count` processes of the built app on one environment (one database, one Redis, one queue
 * prefix), each on a loopback port of its own that it keeps across restarts, behind one HAProxy.
 * Every life's output is kept, the killed ones' too.
 */
export class AppReplicaSet {
  readonly lives: ReplicaLife[] = [];
  private proxy?: SpareHaproxy;

  private constructor(
    readonly ports: number[],
    private readonly environment: Record<string, string>,
  ) {}

  static async start(
    count: number,
    environment: Record<string, string>,
    proxyOptions: HaproxyOptions = {},
  ): Promise<AppReplicaSet> {
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const set = new AppReplicaSet(ports, environment);
    try {
      // The first one migrates; the others would only queue behind its migration lock.
      await set.launch(0);
      await Promise.all(ports.slice(1).map((_, i) => set.launch(i + 1)));
      set.proxy = await SpareHaproxy.start(
        ports.map((port, i) => ({ name: set.name(i), port })),
        proxyOptions,
      );
      for (let i = 0; i < count; i++) await set.haproxy.waitForState(set.name(i), 'UP');
      return set;
    } catch (error) {
      await set.stop();
      throw error;
    }
  }

  get haproxy(): SpareHaproxy {
    if (!this.proxy) throw new Error('haproxy is not running');
    return this.proxy;
  }

  /** The server name HAProxy logs for replica `i`. */
  name(i: number): string {
    return `app${i + 1}`;
  }

  /** Replica `i` directly, bypassing HAProxy. */
  url(i: number): string {
    return `http://127.0.0.1:${this.ports[i]}`;
  }

  /** `app2#1` for replica app2's first process, `app2#2` after one restart. */
  label(life: ReplicaLife): string {
    const lives = this.lives.filter((other) => other.replica === life.replica);
    return `${this.name(life.replica)}#${lives.indexOf(life) + 1}`;
  }

  current(i: number): ReplicaLife {
    return this.lives.findLast((life) => life.replica === i)!;
  }

  async kill(i: number): Promise<ReplicaLife> {
    const life = this.current(i);
    life.killedAt = Date.now();
    await life.process.stop('SIGKILL');
    life.diedAt = Date.now();
    return life;
  }

  async restart(i: number): Promise<ReplicaLife> {
    return this.launch(i);
  }

  /** SIGTERM to every live process, then HAProxy. */
  async stop(): Promise<void> {
    await Promise.all(this.lives.map((life) => life.process.stop('SIGTERM')));
    await this.proxy?.stop();
  }

  private async launch(i: number): Promise<ReplicaLife> {
    const process = await startAppProcess({
      ...this.environment,
      HOST: '127.0.0.1',
      PORT: String(this.ports[i]),
    });
    const life = { replica: i, process, startedAt: Date.now() };
    this.lives.push(life);
    return life;
  }
}
