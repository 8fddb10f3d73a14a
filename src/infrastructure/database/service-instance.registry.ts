import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_VERSION } from '../../common/app-version.js';
import { QueryOwner } from './query-owner.js';

/** Registers this replica in `service_instances`; readiness touches the row to prove writes work. */
@QueryOwner()
@Injectable()
export class ServiceInstanceRegistry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly id = randomUUID();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.query(`INSERT INTO service_instances (id, hostname, version) VALUES ($1, $2, $3)`, [
      this.id,
      hostname(),
      APP_VERSION,
    ]);
  }

  /** Returns how many replicas were seen in the last minute, this one included. */
  async heartbeat(): Promise<number> {
    const [row] = await this.dataSource.query(
      `WITH touched AS (UPDATE service_instances SET last_seen_at = now() WHERE id = $1)
       SELECT count(*)::int AS live FROM service_instances
        WHERE id = $1 OR (stopped_at IS NULL AND last_seen_at > now() - interval '1 minute')`,
      [this.id],
    );
    return row.live;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    await this.dataSource.query(`UPDATE service_instances SET stopped_at = now() WHERE id = $1`, [this.id]);
  }
}
