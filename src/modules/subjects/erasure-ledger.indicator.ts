import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SubjectErasureService } from './subject-erasure.service.js';

/** Down until every erasure in the ledger is applied to this database (after a restore, say). */
@Injectable()
export class ErasureLedgerIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly erasure: SubjectErasureService,
  ) {}

  check(key = 'erasures') {
    const pending = this.erasure.pendingErasures;
    const indicator = this.indicators.check(key);
    if (pending === 0) return indicator.up({ pending });
    return indicator.down({
      state: 'erasures-pending',
      ...(pending !== undefined && Number.isFinite(pending) && { pending }),
    });
  }
}
