import type { EntityManager } from 'typeorm';
import type { ChainedEvent } from '../audit-event.js';

const COLUMNS =
  'occurred_at, shard, seq, id, actor_id, action, resource_type, resource_id, outcome, severity, request_id, trace_id, ip, user_agent, details, prev_hash, hash';
const TYPES = [
  'timestamptz',
  'smallint',
  'bigint',
  'uuid',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'jsonb',
  'text',
  'text',
];
const UNNEST = `SELECT * FROM unnest(${TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})`;

/** One multi-row INSERT of already chained events (column arrays through unnest: one round trip). */
export async function insertEvents(
  manager: EntityManager,
  events: ChainedEvent[],
  table = 'audit_events',
): Promise<void> {
  await manager.query(`INSERT INTO ${table} (${COLUMNS}) ${UNNEST}`, columnsOf(events));
}

/** Where a shard's chain ends after an append. */
export interface NewHead {
  shard: number;
  seq: number;
  hash: string;
  lastAt: Date;
}

/**
 * The events and the shard's new head in one statement: the head row stays locked until commit,
 * so every round trip saved here is time another appender is not kept waiting for the shard.
 */
export async function appendEvents(manager: EntityManager, events: ChainedEvent[], head: NewHead): Promise<void> {
  const n = TYPES.length;
  await manager.query(
    `WITH inserted AS (INSERT INTO audit_events (${COLUMNS}) ${UNNEST})
     UPDATE audit_chain_heads SET seq = $${n + 2}, hash = $${n + 3}, last_at = $${n + 4} WHERE shard = $${n + 1}`,
    [...columnsOf(events), head.shard, head.seq, head.hash, head.lastAt],
  );
}

function columnsOf(events: ChainedEvent[]): unknown[][] {
  return [
    events.map((e) => e.occurredAt),
    events.map((e) => e.shard),
    events.map((e) => e.seq),
    events.map((e) => e.id),
    events.map((e) => e.actorId),
    events.map((e) => e.action),
    events.map((e) => e.resourceType),
    events.map((e) => e.resourceId),
    events.map((e) => e.outcome),
    events.map((e) => e.severity),
    events.map((e) => e.requestId),
    events.map((e) => e.traceId ?? null),
    events.map((e) => e.ip),
    events.map((e) => e.userAgent),
    events.map((e) => JSON.stringify(e.details)),
    events.map((e) => e.prevHash),
    events.map((e) => e.hash),
  ];
}
