import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const ROOT = join(__dirname, '..', '..', '..');

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a built script (dist/...) as its own process and waits for "listening on <url>". */
export async function startServer(
  script: string,
  environment: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(ROOT, script)], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), 60_000);
    const onStartOutput = () => {
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onStartOutput);
    child.stderr?.on('data', onStartOutput);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
  // From here on the output is read and dropped: keeping a log line per request in this process
  // (which also runs the load generator) took CPU from the load as the string grew.
  for (const stream of [child.stdout, child.stderr]) stream?.removeAllListeners('data').resume();
  return {
    url,
    pid: child.pid as number,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The application as `npm start` runs it, logging at the production default level. Its queues get
 * their own prefix: jobs left in Redis by an earlier bench's app would otherwise run in this one,
 * and `stop` deletes the keys under it once the app has exited (repeatable jobs outlive it).
 * Login is not rate limited: back-to-back benches log in from one address more often than the
 * production limit allows, and the counter lives in the shared Redis.
 */
export async function startApp(environment: Record<string, string> = {}): Promise<ServerProcess> {
  // e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`: profiles the app alone, not the load generator.
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const prefix = environment.QUEUE_PREFIX ?? `bench_${randomBytes(4).toString('hex')}`;
  const app = await startServer(
    'dist/src/main.js',
    {
      DATA_DIR: join(ROOT, '.data', 'bench'),
      QUEUE_PREFIX: prefix,
      THROTTLE_LOGIN_LIMIT: '1000000',
      ...environment,
    },
    nodeArgs,
  );
  return {
    ...app,
    stop: async () => {
      await app.stop();
      await dropKeys(environment.REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
    },
  };
}

/** Deletes every key under `<prefix>:`; a Redis that cannot be reached (a Redis-down bench) has none. */
async function dropKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.unlink(...keys);
    }
  } catch {
    // Unreachable: nothing was written there.
  } finally {
    redis.disconnect();
  }
}
