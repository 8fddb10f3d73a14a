import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { DataSource, type DataSourceOptions, type EntityManager } from 'typeorm';
import { AppConfig, type ReplicaSettings } from '../../config/app-config.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { PRIMARY_ONLY, WriteMarks } from './read-your-writes.js';
import { Replica, type ReplicaStatus } from './replica.js';
import { TransactionContext } from './transaction-context.js';

export const REPLICA_LAG_METRIC = 'db_replica_lag_seconds';
export const REPLICA_UP_METRIC = 'db_replica_up';
export const ROUTED_READS_METRIC = 'db_routed_reads_total';

/**
 * Where a read that tolerates lag (search, analytics, record lists, audit reads and export) runs:
 * a replica that is up, within DATABASE_REPLICA_MAX_LAG_MS and has replayed the caller's last
 * write (waiting up to DATABASE_REPLICA_WAIT_MS for it), else the primary. Inside a transaction
 * it is always the primary: that transaction may have written what the read looks for.
 */
@Injectable()
export class ReplicaRouter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReadReplicas');
  private readonly settings: ReplicaSettings;
  private replicas: Replica[] = [];
  private next = 0;
  private timer?: NodeJS.Timeout;
  private refreshing = false;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly primary: DataSource,
    private readonly transactions: TransactionContext,
    private readonly marks: WriteMarks,
    @InjectMetric(REPLICA_LAG_METRIC) private readonly lag: Gauge<'replica'>,
    @InjectMetric(REPLICA_UP_METRIC) private readonly up: Gauge<'replica'>,
    @InjectMetric(ROUTED_READS_METRIC) private readonly routed: Counter<'target'>,
  ) {
    this.settings = config.database.replicas;
  }

  get configured(): boolean {
    return this.settings.urls.length > 0;
  }

  /** After every module's constructor: entity subscribers have registered on the primary by then. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.configured) return;
    this.replicas = this.settings.urls.map(
      (url) => new Replica(this.replicaOptions(url), [...this.primary.subscribers], this.settings.maxLagMs),
    );
    // Not awaited: a replica never holds up the boot; reads go to the primary until one is measured up.
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.settings.checkIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.replicas.map((replica) => replica.close()));
  }

  /** The manager for one lag-tolerant read, resolved in the caller's request. */
  async reader(): Promise<EntityManager> {
    if (!this.configured || this.transactions.active) return this.transactions.manager;
    const replica = await this.pick();
    this.routed.inc({ target: replica?.name ?? 'primary' });
    return replica ? replica.manager : this.transactions.manager;
  }

  /** Each replica as last measured, for readiness. */
  statuses(): ReplicaStatus[] {
    return this.replicas.map((replica) => replica.current);
  }

  private async pick(): Promise<Replica | undefined> {
    const usable = this.replicas.filter((replica) => replica.usable);
    if (!usable.length) return undefined;
    const mark = await this.marks.current();
    if (mark === PRIMARY_ONLY) return undefined;
    const start = this.next++ % usable.length;
    const ordered = [...usable.slice(start), ...usable.slice(0, start)];
    if (!mark) return ordered[0];
    for (const replica of ordered) if (await replica.reaches(mark, 0).catch(() => false)) return replica;
    return (await ordered[0].reaches(mark, this.settings.waitMs).catch(() => false)) ? ordered[0] : undefined;
  }

  private async refresh(): Promise<void> {
    // A replica that does not answer holds a refresh for its connection timeout: never two at once.
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      for (const replica of this.replicas) await this.measure(replica);
    } finally {
      this.refreshing = false;
    }
  }

  private async measure(replica: Replica): Promise<void> {
    const before = replica.current.state;
    const status = await replica.refresh();
    this.up.set({ replica: status.replica }, status.state === 'down' ? 0 : 1);
    if (status.lagMs !== null) this.lag.set({ replica: status.replica }, status.lagMs / 1000);
    if (status.state === before) return;
    if (status.state === 'up') this.logger.log(`replica ${status.replica} is up (lag ${status.lagMs} ms)`);
    else if (status.state === 'lagging') this.logger.warn(`replica ${status.replica} lags ${status.lagMs} ms: skipped`);
    else this.logger.warn(`replica ${status.replica} is down: ${status.reason}`);
  }

  /** The app's entities on the replica's URL; no migrations (a replica is read-only). */
  private replicaOptions(url: string): DataSourceOptions {
    const base = buildDataSourceOptions(this.config.database, url);
    return {
      ...base,
      entities: this.primary.options.entities,
      migrations: [],
      migrationsRun: false,
      installExtensions: false,
      extra: { ...(base.extra as object), application_name: 'compliance-kit:replica' },
    } as DataSourceOptions;
  }
}
