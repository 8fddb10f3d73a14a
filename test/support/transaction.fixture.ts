import { Public } from '../../src/common/auth/roles';
import { Controller, Module, Param, Post } from '@nestjs/common';
import { TransactionContext } from '../../src/infrastructure/database/transaction-context';
import { ApiExcludeController } from '@nestjs/swagger';

/** Writes one row to `tx_probe` and, for `/fail`, throws afterwards. */
@Public()
// Test-only routes are no part of the published contract: kept out of the document (and so of its conformance check).
@ApiExcludeController()
@Controller('test-tx')
class TransactionProbeController {
  constructor(private readonly transactions: TransactionContext) {}

  @Post(':outcome')
  async write(@Param('outcome') outcome: string): Promise<{ written: string }> {
    await this.transactions.manager.query('INSERT INTO tx_probe (label) VALUES ($1)', [outcome]);
    await this.transactions.manager.query('INSERT INTO tx_probe (label) VALUES ($1)', [`${outcome}-second`]);
    if (outcome === 'fail') throw new Error('boom after writing');
    return { written: outcome };
  }
}

@Module({ controllers: [TransactionProbeController] })
export class TransactionFixtureModule {}
