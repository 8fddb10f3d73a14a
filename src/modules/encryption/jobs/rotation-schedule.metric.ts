import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { sampleAtScrape } from '../../metrics/scrape-time-gauge.js';
import { EncryptionRotationRepository } from '../encryption-rotation.repository.js';
import { RotationSchedule } from '../rotation-schedule.js';

export const ROTATION_LAST_SUCCESS_METRIC = 'encryption_rotation_last_success_timestamp_seconds';
export const ROTATION_NEXT_METRIC = 'encryption_rotation_next_scheduled_timestamp_seconds';

export const rotationLastSuccessGauge = makeGaugeProvider({
  name: ROTATION_LAST_SUCCESS_METRIC,
  help: 'Unix time the last key rotation completed; absent before the first',
});

export const rotationNextGauge = makeGaugeProvider({
  name: ROTATION_NEXT_METRIC,
  help: 'Unix time the rotation schedule rotates the active key next; absent when ENCRYPTION_ROTATION_INTERVAL_DAYS is 0',
});

const seconds = (at: Date) => at.getTime() / 1000;

/** Read from Postgres at scrape, so every replica reports the same schedule and a stalled one shows as age. */
@Injectable()
export class RotationScheduleMetric implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly uninstall: (() => void)[] = [];

  constructor(
    private readonly rotations: EncryptionRotationRepository,
    private readonly schedule: RotationSchedule,
    @InjectMetric(ROTATION_LAST_SUCCESS_METRIC) private readonly lastSuccess: Gauge,
    @InjectMetric(ROTATION_NEXT_METRIC) private readonly next: Gauge,
  ) {}

  onApplicationBootstrap(): void {
    this.uninstall.push(
      sampleAtScrape(this.lastSuccess, async (gauge) => {
        const at = await this.rotations.lastCompletedAt();
        if (at) gauge.set(seconds(at));
      }),
      sampleAtScrape(this.next, async (gauge) => {
        const state = await this.schedule.state();
        if (state) gauge.set(seconds(state.nextRotationAt));
      }),
    );
  }

  onApplicationShutdown(): void {
    for (const uninstall of this.uninstall) uninstall();
  }
}
