import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Pool } from 'pg';
import type { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';

export const POOL_CLIENTS_METRIC = 'db_pool_clients';
const HIGH_UTILISATION = 0.9;
const WARNING_INTERVAL_MS = 30_000;

const utilisationOf = (pool: Pool) => (pool.totalCount - pool.idleCount) / pool.options.max;

/** Publishes pg pool counts as gauges and warns when the pool is nearly exhausted. */
@Injectable()
export class PoolMonitor implements OnApplicationBootstrap {
  private readonly logger = new Logger(PoolMonitor.name);
  private lastWarningAt = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectMetric(POOL_CLIENTS_METRIC) private readonly clients: Gauge<'state'>,
  ) {}

  onApplicationBootstrap(): void {
    const pool = this.pool();
    const update = () => this.record(pool);
    for (const event of ['connect', 'acquire', 'release', 'remove'] as const) pool.on(event, update);
    update();
  }

  /** Fraction of the pool's maximum that is checked out right now. */
  utilisation(): number {
    return utilisationOf(this.pool());
  }

  private record(pool: Pool): void {
    this.clients.set({ state: 'total' }, pool.totalCount);
    this.clients.set({ state: 'idle' }, pool.idleCount);
    this.clients.set({ state: 'waiting' }, pool.waitingCount);
    this.clients.set({ state: 'max' }, pool.options.max);
    const utilisation = utilisationOf(pool);
    const now = Date.now();
    if (utilisation >= HIGH_UTILISATION && now - this.lastWarningAt > WARNING_INTERVAL_MS) {
      this.lastWarningAt = now;
      this.logger.warn(
        `database pool at ${Math.round(utilisation * 100)}% (${pool.totalCount - pool.idleCount}/${pool.options.max} in use, ${pool.waitingCount} waiting)`,
      );
    }
  }

  private pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }
}
