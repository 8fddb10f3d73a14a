import { HealthIndicatorService } from '@nestjs/terminus';
import { ErasureLedgerIndicator } from '../../../src/modules/subjects/erasure-ledger.indicator';
import type { SubjectErasureService } from '../../../src/modules/subjects/subject-erasure.service';

const indicator = (pending: number | undefined) =>
  new ErasureLedgerIndicator(new HealthIndicatorService(), { pendingErasures: pending } as SubjectErasureService);

describe('ErasureLedgerIndicator', () => {
  it('is down until the ledger has been checked against the database', () => {
    expect(indicator(undefined).check()).toEqual({ erasures: { status: 'down', state: 'erasures-pending' } });
  });

  it('is down while erasures remain to re-apply, and when re-applying failed', () => {
    expect(indicator(2).check()).toEqual({ erasures: { status: 'down', state: 'erasures-pending', pending: 2 } });
    expect(indicator(Number.POSITIVE_INFINITY).check()).toEqual({
      erasures: { status: 'down', state: 'erasures-pending' },
    });
  });

  it('is up once every erasure is applied', () => {
    expect(indicator(0).check()).toEqual({ erasures: { status: 'up', pending: 0 } });
  });
});
