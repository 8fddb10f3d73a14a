import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Queryable } from '../layout/events-layout.js';
import { policyProblems, timescalePolicies } from '../layout/timescale-layout.js';
import type { EventsRetention } from './events-retention.js';

/**
 * TimescaleDB layout: retention, compression and aggregate refresh are the extension's own
 * policies, so there is nothing to schedule; at boot this only says when one is missing or the
 * retention differs from the configured one (changing it is a database operation, see docs).
 */
export class TimescalePolicyCheck implements EventsRetention, OnApplicationBootstrap {
  private readonly logger = new Logger('TimescalePolicies');

  constructor(
    private readonly db: Queryable,
    private readonly retentionDays: number,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintain().catch((error: Error) => this.logger.warn(`policy check failed: ${error.message}`));
  }

  async maintain(): Promise<string> {
    const problems = policyProblems(await timescalePolicies(this.db), this.retentionDays);
    if (!problems.length) return 'retention, compression and aggregate refresh run as TimescaleDB policies';
    const summary = `TimescaleDB policies: ${problems.join('; ')}`;
    this.logger.warn(summary);
    return summary;
  }
}
