import { chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { waitFor } from './drill-load.js';
import { freePort, SparePostgres, userIds } from './spare-services.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Runs one statement on `url` on a connection of its own. */
export async function queryOn<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A streaming standby of `primary`, cloned with pg_basebackup -R, in its own temp dir and port. */
export class SpareStandby extends SparePostgres {
  constructor(
    port: number,
    private readonly primary: SparePostgres,
  ) {
    super(port);
  }

  override init(): Promise<void> {
    chmodSync(this.dir, 0o700);
    const { uid, gid } = userIds('postgres');
    chownSync(this.dir, uid, gid);
    return this.asPostgres(`${PG_BIN}/pg_basebackup`, [
      '-D',
      join(this.dir, 'data'),
      '-h',
      '127.0.0.1',
      '-p',
      String(this.primary.port),
      '-U',
      'postgres',
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
  }

  /** `pg_ctl promote`: the standby stops replaying and accepts writes. */
  promote(): Promise<void> {
    return this.asPostgres(`${PG_BIN}/pg_ctl`, ['-D', join(this.dir, 'data'), '-w', '-t', '30', 'promote']);
  }

  /** Replay stops (WAL still arrives), so the standby falls behind by as much as the primary writes. */
  async pauseReplay(): Promise<void> {
    await queryOn(this.url, 'SELECT pg_wal_replay_pause()');
  }

  async resumeReplay(): Promise<void> {
    await queryOn(this.url, 'SELECT pg_wal_replay_resume()');
  }

  /** Waits until this standby has replayed everything the primary had written when called. */
  async catchUp(timeoutMs = 10_000): Promise<void> {
    const [{ lsn }] = await queryOn<{ lsn: string }>(this.primary.url, 'SELECT pg_current_wal_lsn()::text AS lsn');
    await waitFor(
      async () => {
        const [{ done }] = await queryOn<{ done: boolean }>(
          this.url,
          'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done',
          [lsn],
        );
        return done;
      },
      timeoutMs,
      'standby replay',
    );
  }
}

export interface StreamingPair {
  primary: SparePostgres;
  standby: SpareStandby;
  /**
   * Commits wait until the standby has flushed them (`synchronous_standby_names`): without it, a
   * failover loses the commits the standby had not yet received, acknowledged or not.
   */
  makeSynchronous(): Promise<void>;
  /** Both servers as one libpq host list for `database`, primary first. */
  hostList(database: string): string;
  destroy(): Promise<void>;
}

/** A primary and one streaming standby on free loopback ports, both running. */
export async function startStreamingPair(): Promise<StreamingPair> {
  const primary = new SparePostgres(await freePort());
  await primary.init();
  await primary.start();
  const standby = new SpareStandby(await freePort(), primary);
  try {
    await standby.init();
    await standby.start();
  } catch (error) {
    await primary.destroy();
    await standby.destroy();
    throw error;
  }
  return {
    primary,
    standby,
    makeSynchronous: async () => {
      await queryOn(primary.url, `ALTER SYSTEM SET synchronous_standby_names = '*'`);
      await queryOn(primary.url, 'SELECT pg_reload_conf()');
      await waitFor(
        async () =>
          (
            await queryOn<{ n: number }>(
              primary.url,
              `SELECT count(*)::int AS n FROM pg_stat_replication WHERE sync_state = 'sync'`,
            )
          )[0].n === 1,
        10_000,
        'synchronous standby',
      );
    },
    hostList: (database: string) =>
      `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/${database}?target_session_attrs=read-write`,
    destroy: async () => {
      await standby.destroy();
      await primary.destroy();
    },
  };
}

/** `url` with another database. */
export function onDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
