import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ChainedEvent } from '../audit-event.js';
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
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chain: AuditChain,
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
      const events = await this.dataSource.transaction((manager) =>
        this.chain.append(
          manager,
          batch.map((w) => w.draft),
        ),
      );
      batch.forEach((waiting, i) => waiting.resolve(events[i]));
    } catch (error) {
      batch.forEach((waiting) => waiting.reject(error));
    }
  }
}
