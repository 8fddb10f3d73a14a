import { Inject, Injectable } from '@nestjs/common';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import { EVENTS_LAYOUT, type EventsLayout } from './layout/events-layout.js';
import { QueryOwner } from '../../../infrastructure/database/query-owner.js';

export interface ComplianceEventRow {
  sourceEventId: string;
  recordId: string;
  framework: string;
  status: string;
  score: number;
  occurredAt: string;
}

/**
 * Writes events idempotently (keyed by the outbox event id) with the layout's statement: on plain
 * Postgres it also adds them to the hourly rollup; TimescaleDB's aggregates need nothing.
 */
@QueryOwner()
@Injectable()
export class ComplianceEventsRepository {
  constructor(
    private readonly transactions: TransactionContext,
    @Inject(EVENTS_LAYOUT) private readonly layout: EventsLayout,
  ) {}

  async record(rows: ComplianceEventRow[]): Promise<void> {
    if (!rows.length) return;
    await this.transactions.manager.query(this.layout.insertEvents, eventColumns(rows));
  }
}

/** The six parallel arrays every layout's insert statement takes. */
export function eventColumns(rows: ComplianceEventRow[]): unknown[][] {
  return [
    rows.map((row) => row.sourceEventId),
    rows.map((row) => row.recordId),
    rows.map((row) => row.framework),
    rows.map((row) => row.status),
    rows.map((row) => row.score),
    rows.map((row) => row.occurredAt),
  ];
}
