import { DataSource, type DataSourceOptions, type EntitySubscriberInterface } from 'typeorm';
import { hostAndPort } from '../../config/postgres-urls.js';
import { hasReached } from './lsn.js';

export type ReplicaState = 'up' | 'lagging' | 'down';

export interface ReplicaStatus {
  /** `host:port`, never credentials: also the metric label. */
  replica: string;
  state: ReplicaState;
  /** Replay lag when last measured (0 when it has replayed all it received); null while down. */
  lagMs: number | null;
  replayedLsn: string | null;
  /** Why it is down, for an operator. */
  reason?: string;
}

// Lag is 0 when everything received is replayed: an idle primary sends nothing, so the last
// replayed commit may be old without the replica being behind.
const STATE_SQL = `SELECT pg_is_in_recovery() AS standby,
  pg_last_wal_replay_lsn()::text AS replayed,
  CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
       ELSE coalesce(floor(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000), 0) END::float8 AS lag_ms`;
const WAIT_POLL_MS = 10;

/**
 * One streaming replica: its own TypeORM DataSource (the app's entities, read-only use), opened
 * in the background and re-measured by `refresh()`. A replica that cannot be reached, is no
 * longer in recovery (promoted: its data may have forked) or lags past `maxLagMs` is not used.
 */
export class Replica {
  readonly name: string;
  private dataSource?: DataSource;
  private opening?: Promise<void>;
  private status: ReplicaStatus;

  constructor(
    private readonly options: DataSourceOptions,
    private readonly subscribers: EntitySubscriberInterface[],
    private readonly maxLagMs: number,
  ) {
    this.name = hostAndPort((options as { url: string }).url);
    this.status = { replica: this.name, state: 'down', lagMs: null, replayedLsn: null, reason: 'not checked yet' };
  }

  get current(): ReplicaStatus {
    return this.status;
  }

  get usable(): boolean {
    return this.status.state === 'up' && this.dataSource !== undefined;
  }

  get manager() {
    return this.dataSource!.manager;
  }

  async refresh(): Promise<ReplicaStatus> {
    try {
      await this.open();
      const [row] =
        await this.dataSource!.query<{ standby: boolean; replayed: string | null; lag_ms: number }[]>(STATE_SQL);
      if (!row.standby) return this.set('down', null, null, 'not in recovery (promoted?)');
      return this.set(row.lag_ms > this.maxLagMs ? 'lagging' : 'up', row.lag_ms, row.replayed);
    } catch (error) {
      return this.set('down', null, null, (error as Error).message);
    }
  }

  /** Waits up to `timeoutMs` for replay to reach `lsn` (ordered, `orderedLsn`); false if it did not. */
  async reaches(lsn: string, timeoutMs: number): Promise<boolean> {
    if (hasReached(this.status.replayedLsn, lsn)) return true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ replayed }] = await this.dataSource!.query<{ replayed: string | null }[]>(
        'SELECT pg_last_wal_replay_lsn()::text AS replayed',
      );
      if (hasReached(replayed, lsn)) {
        this.status = { ...this.status, replayedLsn: replayed };
        return true;
      }
      if (Date.now() + WAIT_POLL_MS > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
  }

  private open(): Promise<void> {
    if (this.dataSource) return Promise.resolve();
    this.opening ??= (async () => {
      const dataSource = await new DataSource(this.options).initialize();
      // Entity subscribers (field decryption after load) registered themselves on the primary's.
      dataSource.subscribers.push(...this.subscribers);
      this.dataSource = dataSource;
    })().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private set(state: ReplicaState, lagMs: number | null, replayedLsn: string | null, reason?: string): ReplicaStatus {
    this.status = { replica: this.name, state, lagMs, replayedLsn, ...(reason ? { reason } : {}) };
    return this.status;
  }
}
