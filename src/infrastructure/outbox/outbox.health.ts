import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../../config/app-config.js';
import { probeDependency } from '../../common/dependency-state.js';
import { OutboxGauges } from './outbox-gauges.js';

/** Backlog and oldest pending age per consumer, for `GET /health`; informative, never failing. */
@Injectable()
export class OutboxHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly gauges: OutboxGauges,
    private readonly config: AppConfig,
  ) {}

  check(key = 'outbox') {
    return probeDependency(
      this.indicators,
      key,
      { required: false, timeoutMs: this.config.healthCheckTimeoutMs },
      async () => {
        const stats = await this.gauges.refresh();
        return {
          backlog: stats.reduce((sum, row) => sum + row.pending, 0),
          oldestPendingAgeSeconds: Math.max(0, ...stats.map((row) => row.oldestPendingAgeSeconds)),
          deadLetters: stats.reduce((sum, row) => sum + row.dead, 0),
        };
      },
    );
  }
}
