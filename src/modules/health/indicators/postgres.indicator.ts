import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../../../config/app-config.js';
import { PoolMonitor } from '../../../infrastructure/database/pool-monitor.js';
import { ReplicaRouter } from '../../../infrastructure/database/replica-router.js';
import { ServiceInstanceRegistry } from '../../../infrastructure/database/service-instance.registry.js';
import { probeDependency } from '../../../common/dependency-state.js';

/**
 * Postgres is the source of truth: a write (this replica's heartbeat) must succeed. Read replicas
 * are listed with their state and lag but never fail the check: the primary serves their reads.
 */
@Injectable()
export class PostgresHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly instances: ServiceInstanceRegistry,
    private readonly pool: PoolMonitor,
    private readonly config: AppConfig,
    private readonly replicas: ReplicaRouter,
  ) {}

  check(key = 'postgres') {
    return probeDependency(
      this.indicators,
      key,
      { required: true, timeoutMs: this.config.healthCheckTimeoutMs },
      async () => ({
        liveReplicas: await this.instances.heartbeat(),
        poolUtilisation: Math.round(this.pool.utilisation() * 100) / 100,
        ...(this.replicas.configured ? { readReplicas: this.readReplicas() } : {}),
      }),
    );
  }

  private readReplicas() {
    return this.replicas.statuses().map(({ replica, state, lagMs, reason }) => ({
      replica,
      state,
      lagMs,
      ...(reason ? { reason } : {}),
    }));
  }
}
