import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../../config/app-config.js';
import { TransactionContext } from '../../../../infrastructure/database/transaction-context.js';

const DAY_MS = 86_400_000;
const PARTITION = /^compliance_events_p(\d{4})(\d{2})(\d{2})$/;

export interface PartitionChanges {
  created: string[];
  dropped: string[];
}

export function partitionName(day: Date): string {
  return `compliance_events_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

function startOfUtcDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

/**
 * Keeps `compliance_events` partitioned by UTC day: creates partitions for today and the days
 * ahead, and for any past day the default partition has caught rows for (moving them in), then
 * drops partitions, default rows and rollup rows older than the retention.
 */
@Injectable()
export class EventPartitions {
  constructor(
    private readonly transactions: TransactionContext,
    private readonly config: AppConfig,
  ) {}

  maintain(now = new Date()): Promise<PartitionChanges> {
    return this.transactions.run(async (manager) => {
      const [{ locked }] = await manager.query(
        `SELECT pg_try_advisory_xact_lock(hashtext('compliance_events_partitions')) AS locked`,
      );
      if (!locked) return { created: [], dropped: [] };
      const { eventsRetentionDays, partitionsAheadDays } = this.config.compliance;
      const today = startOfUtcDay(now);
      const cutoff = new Date(today.getTime() - eventsRetentionDays * DAY_MS);
      const existing = new Set(await this.partitions());

      const wanted = new Set<number>();
      for (let ahead = 0; ahead <= partitionsAheadDays; ahead++) wanted.add(today.getTime() + ahead * DAY_MS);
      const caught: { day: Date }[] = await manager.query(
        `SELECT DISTINCT date_trunc('day', occurred_at, 'UTC') AS day FROM compliance_events_default WHERE occurred_at >= $1`,
        [cutoff],
      );
      for (const row of caught) wanted.add(new Date(row.day).getTime());

      const created: string[] = [];
      for (const time of [...wanted].sort()) {
        const day = new Date(time);
        const name = partitionName(day);
        if (existing.has(name)) continue;
        await this.create(name, day, new Date(time + DAY_MS));
        created.push(name);
      }

      const dropped = [...existing].filter((name) => this.dayOf(name) < cutoff.getTime()).sort();
      for (const name of dropped) await manager.query(`DROP TABLE ${name}`);
      await manager.query(`DELETE FROM compliance_events_default WHERE occurred_at < $1`, [cutoff]);
      await manager.query(`DELETE FROM compliance_events_hourly WHERE bucket < $1`, [cutoff]);
      return { created, dropped };
    });
  }

  /** Names of the daily partitions that exist now. */
  async partitions(): Promise<string[]> {
    const rows: { name: string }[] = await this.transactions.manager.query(
      `SELECT child.relname AS name FROM pg_inherits
       JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
       JOIN pg_class child ON child.oid = pg_inherits.inhrelid
       WHERE parent.relname = 'compliance_events' ORDER BY 1`,
    );
    return rows.map((row) => row.name).filter((name) => PARTITION.test(name));
  }

  /** Moves rows the default partition caught for this day into the new partition before attaching it. */
  private async create(name: string, from: Date, to: Date): Promise<void> {
    const manager = this.transactions.manager;
    await manager.query(`CREATE TABLE ${name} (LIKE compliance_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await manager.query(
      `WITH moved AS (DELETE FROM compliance_events_default WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *)
       INSERT INTO ${name} SELECT * FROM moved`,
      [from, to],
    );
    await manager.query(
      `ALTER TABLE compliance_events ATTACH PARTITION ${name} FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
    );
  }

  private dayOf(name: string): number {
    const [, year, month, day] = PARTITION.exec(name) as RegExpExecArray;
    return Date.UTC(Number(year), Number(month) - 1, Number(day));
  }
}
