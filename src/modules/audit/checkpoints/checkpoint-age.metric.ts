import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { sampleAtScrape } from '../../metrics/scrape-time-gauge.js';
import { AuditCheckpoints } from './audit-checkpoints.js';

export const CHECKPOINT_TIMESTAMP_METRIC = 'audit_checkpoint_last_timestamp_seconds';

export const checkpointTimestampGauge = makeGaugeProvider({
  name: CHECKPOINT_TIMESTAMP_METRIC,
  help: 'Unix time of the newest signed audit checkpoint, read from Postgres at scrape time',
});

/**
 * Read from the table, not remembered by the writer: only one replica writes each periodic
 * checkpoint, and a restart must not hide how old the last one is.
 */
@Injectable()
export class CheckpointAgeMetric implements OnApplicationBootstrap, OnApplicationShutdown {
  private uninstall?: () => void;

  constructor(
    private readonly checkpoints: AuditCheckpoints,
    @InjectMetric(CHECKPOINT_TIMESTAMP_METRIC) private readonly gauge: Gauge,
  ) {}

  onApplicationBootstrap(): void {
    this.uninstall = sampleAtScrape(this.gauge, async (gauge) => {
      const latest = await this.checkpoints.latest();
      if (latest) gauge.set(latest.createdAt.getTime() / 1000);
    });
  }

  onApplicationShutdown(): void {
    this.uninstall?.();
  }
}
