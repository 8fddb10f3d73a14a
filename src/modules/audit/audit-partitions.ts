import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';

const PREFIX = 'audit_events_';
const NAME = /^audit_events_(\d{4})_(\d{2})$/;

export interface Partition {
  name: string;
  from: Date;
  to: Date;
}

const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month, 1));

/** The monthly partitions of audit_events: created ahead of time, dropped whole by retention. */
@Injectable()
export class AuditPartitions {
  constructor(private readonly transactions: TransactionContext) {}

  /** Makes sure the months from `start` to `monthsAhead` months later each have a partition. */
  async ensure(start: Date, monthsAhead: number): Promise<void> {
    for (let i = 0; i <= monthsAhead; i++) {
      const from = monthStart(start.getUTCFullYear(), start.getUTCMonth() + i);
      const to = monthStart(from.getUTCFullYear(), from.getUTCMonth() + 1);
      const name = `${PREFIX}${from.getUTCFullYear()}_${String(from.getUTCMonth() + 1).padStart(2, '0')}`;
      try {
        await this.transactions.manager.query(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF audit_events
           FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
        );
      } catch (error) {
        // Another replica created it between our check and our CREATE.
        if ((error as { code?: string }).code !== '42P07') throw error;
      }
    }
    // The event trigger guards new partitions when a superuser migrated; this covers any other role.
    await this.transactions.manager.query('SELECT audit_guard_partitions()');
  }

  async list(manager: EntityManager = this.transactions.manager): Promise<Partition[]> {
    const rows = (await manager.query(
      `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname = 'audit_events' ORDER BY 1`,
    )) as { name: string }[];
    return rows.flatMap(({ name }) => {
      const match = NAME.exec(name);
      if (!match) return [];
      const from = monthStart(Number(match[1]), Number(match[2]) - 1);
      return [{ name, from, to: monthStart(from.getUTCFullYear(), from.getUTCMonth() + 1) }];
    });
  }

  async drop(partition: Partition, manager: EntityManager): Promise<void> {
    await manager.query(`DROP TABLE ${partition.name}`);
  }
}
