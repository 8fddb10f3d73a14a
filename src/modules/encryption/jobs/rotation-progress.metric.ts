import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { sampleAtScrape } from '../../metrics/scrape-time-gauge.js';
import { EncryptionRotationRepository } from '../encryption-rotation.repository.js';

export const ROTATION_PROGRESS_METRIC = 'encryption_rotation_reencrypted_values';

export const rotationProgressGauge = makeGaugeProvider({
  name: ROTATION_PROGRESS_METRIC,
  help: 'Values re-encrypted so far by the running key rotation, by target key id; absent when none runs',
  labelNames: ['key_id'],
});

/**
 * Progress as Postgres records it, so a run that no replica is working on (queue down, job lost)
 * shows as a number that stops moving rather than as nothing.
 */
@Injectable()
export class RotationProgressMetric implements OnApplicationBootstrap, OnApplicationShutdown {
  private uninstall?: () => void;

  constructor(
    private readonly rotations: EncryptionRotationRepository,
    @InjectMetric(ROTATION_PROGRESS_METRIC) private readonly gauge: Gauge<'key_id'>,
  ) {}

  onApplicationBootstrap(): void {
    this.uninstall = sampleAtScrape(this.gauge, async (gauge) => {
      const run = await this.rotations.running();
      if (run) gauge.set({ key_id: run.targetKeyId }, run.rowsReencrypted);
    });
  }

  onApplicationShutdown(): void {
    this.uninstall?.();
  }
}
