import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import type { AuditSeverity, ChainedEvent } from './audit-event.js';
import type { ChainPosition } from './checkpoints/audit-checkpoints.js';
import { QueryOwner } from '../../infrastructure/database/query-owner.js';

export interface AuditFilter {
  actorId?: string;
  /** Events this id is the actor or the resource of (a data subject's). */
  involving?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  severity?: AuditSeverity;
  from?: Date;
  to?: Date;
}

/** Exact position of a row in time order; `at` is Postgres' own text so microseconds survive. */
export interface TimeKey {
  at: string;
  shard: number;
  seq: number;
}

export interface StoredEvent extends ChainedEvent {
  key: TimeKey;
}

interface Row {
  occurred_at: Date;
  at_key: string;
  shard: number;
  seq: string;
  id: string;
  actor_id: string;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  outcome: string;
  severity: AuditSeverity;
  request_id: string | null;
  trace_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const SELECT = `SELECT occurred_at, occurred_at::text AS at_key, shard, seq, id, actor_id, action, resource_type,
  resource_id, outcome, severity, request_id, trace_id, ip, user_agent, details, prev_hash, hash FROM audit_events`;

/** Reads of the audit trail: filtered pages in either time direction, and one chain in sequence. */
@QueryOwner()
@Injectable()
export class AuditRepository {
  constructor(private readonly transactions: TransactionContext) {}

  /**
   * Up to `limit` events matching `filter`, strictly after (`asc`) or before (`desc`) `after`;
   * on the primary unless given another `manager` (a replica's, for reads that tolerate lag).
   */
  async page(
    filter: AuditFilter,
    order: 'asc' | 'desc',
    limit: number,
    after?: TimeKey,
    manager: EntityManager = this.transactions.manager,
  ): Promise<StoredEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.actorId) add('actor_id = ?', filter.actorId);
    if (filter.involving) add('? IN (actor_id, resource_id)', filter.involving);
    if (filter.action) add('action = ?', filter.action);
    if (filter.resourceType) add('resource_type = ?', filter.resourceType);
    if (filter.resourceId) add('resource_id = ?', filter.resourceId);
    if (filter.severity) add('severity = ?', filter.severity);
    if (filter.from) add('occurred_at >= ?', filter.from);
    if (filter.to) add('occurred_at < ?', filter.to);
    if (after) {
      params.push(after.at, after.shard, after.seq);
      const n = params.length;
      where.push(`(occurred_at, shard, seq) ${order === 'asc' ? '>' : '<'} ($${n - 2}::timestamptz, $${n - 1}, $${n})`);
    }
    params.push(limit);
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    const rows = (await manager.query(
      `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY occurred_at ${dir}, shard ${dir}, seq ${dir} LIMIT $${params.length}`,
      params,
    )) as Row[];
    return rows.map(toEvent);
  }

  /** Events of one chain with `seq` > `afterSeq` in sequence order (forged duplicates by time, then id). */
  async chain(
    shard: number,
    afterSeq: number,
    limit: number,
    range: { from?: Date; to?: Date; upToSeq?: number } = {},
  ): Promise<StoredEvent[]> {
    const rows = (await this.transactions.manager.query(
      `${SELECT} WHERE shard = $1 AND seq > $2 AND ($3::bigint IS NULL OR seq <= $3)
         AND ($4::timestamptz IS NULL OR occurred_at >= $4) AND ($5::timestamptz IS NULL OR occurred_at < $5)
       ORDER BY seq, occurred_at, id LIMIT $6`,
      [shard, afterSeq, range.upToSeq ?? null, range.from ?? null, range.to ?? null, limit],
    )) as Row[];
    return rows.map(toEvent);
  }

  /** The event at `seq` in `shard`, wherever it is in time. */
  async at(shard: number, seq: number): Promise<StoredEvent | undefined> {
    const rows = (await this.transactions.manager.query(
      `${SELECT} WHERE shard = $1 AND seq = $2 ORDER BY occurred_at, id`,
      [shard, seq],
    )) as Row[];
    return rows.map(toEvent)[0];
  }

  /** An event in no known chain (shard outside 0..shards-1): only a forgery puts one there. */
  async outsideShards(shards: number): Promise<StoredEvent | undefined> {
    const rows = (await this.transactions.manager.query(`${SELECT} WHERE shard < 0 OR shard >= $1 LIMIT 1`, [
      shards,
    ])) as Row[];
    return rows.map(toEvent)[0];
  }

  async heads(): Promise<ChainPosition[]> {
    const rows = (await this.transactions.manager.query(
      'SELECT shard, seq, hash FROM audit_chain_heads ORDER BY shard',
    )) as { shard: number; seq: string; hash: string }[];
    return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
  }

  async head(shard: number): Promise<ChainPosition> {
    return (await this.heads()).find((head) => head.shard === shard) as ChainPosition;
  }
}

function toEvent(row: Row): StoredEvent {
  const seq = Number(row.seq);
  return {
    key: { at: row.at_key, shard: row.shard, seq },
    shard: row.shard,
    seq,
    occurredAt: row.occurred_at,
    id: row.id,
    actorId: row.actor_id,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    outcome: row.outcome,
    severity: row.severity,
    requestId: row.request_id,
    ...(row.trace_id !== null && { traceId: row.trace_id }),
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
