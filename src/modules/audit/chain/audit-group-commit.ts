import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import type { ChainedEvent } from '../audit-event.js';
import { AUDIT_APPENDED_METRIC } from '../audit-metrics.js';
import { CheckpointCadence } from '../checkpoints/checkpoint-cadence.js';
import { AuditChain, EventDraft } from './audit-chain.js';

interface Waiting {
  draft: EventDraft;
  resolve: (event: ChainedEvent) => void;
  reject: (error: unknown) => void;
}

/** Largest batch one transaction appends. */
export const MAX_BATCH = 1_000;
/** Concurrent batch transactions (each holds one shard and one pooled connection). */
const MAX_WRITERS = 4;

/**
 * Appends events that belong to no request transaction (security events, jobs) in their own
 * transactions, grouping whatever arrives while earlier batches are committing: one lock, one
 * multi-row INSERT and one commit per batch. Each caller's promise settles when its batch commits.
 */
@Injectable()
export class AuditGroupCommit {
  private waiting: Waiting[] = [];
  private writers = 0;

  constructor(
    private readonly transactions: TransactionContext,
    private readonly chain: AuditChain,
    @InjectMetric(AUDIT_APPENDED_METRIC) private readonly appended: Counter,
    private readonly cadence: CheckpointCadence,
  ) {}

  append(draft: EventDraft): Promise<ChainedEvent> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ draft, resolve, reject });
      this.startWriters();
    });
  }

  private startWriters(): void {
    while (this.writers < MAX_WRITERS && this.waiting.length) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.writers++;
      void this.write(batch).finally(() => {
        this.writers--;
        this.startWriters();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      // Detached: the batch may have been started from inside a request whose transaction it must not join.
      const events = await this.transactions.runDetached(() => this.chain.append(batch.map((w) => w.draft)));
      this.appended.inc(events.length);
      this.cadence.committed(events.length);
      batch.forEach((waiting, i) => waiting.resolve(events[i]));
    } catch (error) {
      batch.forEach((waiting) => waiting.reject(error));
    }
  }
}
