import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import { AUDIT_SHARDS } from '../../../infrastructure/database/migrations/1764400000000-CreateAuditTrail.js';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import { OutboxWriter } from '../../../infrastructure/outbox/outbox-writer.js';
import { AuditClock } from '../audit-clock.js';
import type { ChainedEvent } from '../audit-event.js';
import { AUDIT_EVENT_RECORDED, auditSnapshot } from '../audit-outbox-event.js';
import { hashEvent } from './audit-hash.js';
import { appendEvents } from './audit-rows.js';
import { QueryOwner } from '../../../infrastructure/database/query-owner.js';

/** An event before it has a place in a chain. */
export type EventDraft = Omit<ChainedEvent, 'shard' | 'seq' | 'occurredAt' | 'prevHash' | 'hash'>;

interface HeadRow {
  shard: number;
  seq: string;
  hash: string;
  last_at: Date;
}

/**
 * Appends events to one of AUDIT_SHARDS hash chains inside the caller's transaction. The shard's
 * head row is locked until that transaction ends, so each chain grows in strict sequence while
 * concurrent transactions take other shards (SKIP LOCKED). A rolled-back transaction rolls the head
 * back too, leaving no gap. Time is kept non-decreasing per shard, so dropping old monthly
 * partitions always removes a prefix of every chain. Every event is also announced through the
 * outbox in that transaction, which is how it reaches search: rows and head move in one statement,
 * the outbox rows in a second, so an append costs the round trips it did before the outbox.
 */
@QueryOwner()
@Injectable()
export class AuditChain {
  private readonly heldShards = new WeakMap<QueryRunner, number>();

  constructor(
    private readonly clock: AuditClock,
    private readonly transactions: TransactionContext,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Must run inside a transaction (`TransactionContext`). */
  async append(drafts: EventDraft[]): Promise<ChainedEvent[]> {
    if (!this.transactions.active) throw new Error('audit events are appended inside a transaction');
    const manager = this.transactions.manager;
    const head = await this.lockHead(manager);
    let prevHash = head.hash;
    let seq = Number(head.seq);
    let last = head.last_at.getTime();
    const events = drafts.map((draft) => {
      last = Math.max(last, this.clock.now().getTime());
      // One object per event: hashed before it has a hash, then given it.
      const event = { ...draft, shard: head.shard, seq: ++seq, occurredAt: new Date(last), prevHash } as ChainedEvent;
      event.hash = prevHash = hashEvent(event);
      return event;
    });
    await appendEvents(manager, events, { shard: head.shard, seq, hash: prevHash, lastAt: new Date(last) });
    await this.outbox.appendMany(
      AUDIT_EVENT_RECORDED,
      events.map((event) => ({ aggregateId: event.id, payload: { event: auditSnapshot(event) } })),
    );
    return events;
  }

  /** A free shard if there is one, else waits for a random busy one; the same shard for the rest of a transaction. */
  private async lockHead(manager: EntityManager): Promise<HeadRow> {
    const runner = manager.queryRunner;
    const held = runner ? this.heldShards.get(runner) : undefined;
    const select = 'SELECT shard, seq, hash, last_at FROM audit_chain_heads';
    let [head] =
      held === undefined
        ? ((await manager.query(`${select} ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED`)) as HeadRow[])
        : [];
    if (!head) {
      const shard = held ?? Math.floor(Math.random() * AUDIT_SHARDS);
      [head] = (await manager.query(`${select} WHERE shard = $1 FOR UPDATE`, [shard])) as HeadRow[];
    }
    if (runner) this.heldShards.set(runner, head.shard);
    return head;
  }
}
