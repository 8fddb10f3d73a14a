import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../../../../config/app-config.js';
import { disabledDependency, probeDependency } from '../../../../common/dependency-state.js';
import { EVENTS_RETENTION, type EventsRetention, type RetentionReport } from './events-retention.js';

/**
 * TimescaleDB's policy jobs, for `GET /health` only: a failing job leaves aggregates or retention
 * behind (and the app runs overdue ones itself), but every request is still answered, so it is
 * `degraded` at worst and never fails readiness. `disabled` on the native layout.
 */
@Injectable()
export class EventsRetentionIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENTS_RETENTION) private readonly retention: EventsRetention,
    private readonly config: AppConfig,
  ) {}

  async check(key = 'timescaledb') {
    let report: RetentionReport | undefined;
    const probed = await probeDependency(
      this.indicators,
      key,
      { required: false, timeoutMs: this.config.healthCheckTimeoutMs },
      async () => {
        report = await this.retention.report();
        return report?.details ?? {};
      },
    );
    if (probed[key].status !== 'up') return probed;
    if (!report) return disabledDependency(this.indicators, key);
    return report.degraded ? this.indicators.check(key).degraded({ state: 'up', ...report.details }) : probed;
  }
}
