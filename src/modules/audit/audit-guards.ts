import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';

export type GuardWarning = 'ddl_guard_missing';

const EVENT_TRIGGERS = ['audit_guard_alter', 'audit_guard_drop'];

/**
 * The event triggers that refuse DETACH and DROP of the trail's tables. Only a superuser can create
 * them; a migration run by another role skips them, which is reported at boot and by verify.
 */
@Injectable()
export class AuditGuards {
  constructor(private readonly transactions: TransactionContext) {}

  async warnings(): Promise<GuardWarning[]> {
    const [{ enabled }] = (await this.transactions.manager.query(
      `SELECT count(*)::int AS enabled FROM pg_event_trigger WHERE evtname = ANY($1) AND evtenabled IN ('O', 'A')`,
      [EVENT_TRIGGERS],
    )) as { enabled: number }[];
    return enabled === EVENT_TRIGGERS.length ? [] : ['ddl_guard_missing'];
  }
}
