import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../database/transaction-context.js';
import { retryDelayMs } from '../queue/job-queue.js';
import type { OutboxEvent } from './outbox-consumer.js';
import type { OutboxEntry } from './outbox-writer.js';
import { QueryOwner } from '../database/query-owner.js';

interface ClaimedRow {
  id: string;
  type: string;
  aggregate_id: string | null;
  payload: unknown;
  entry_ids: string[] | null;
  created_at: Date;
}

/** One claimed outbox row: its id (what deliveries are recorded against) and the events it carries. */
export interface ClaimedRowEvents {
  id: string;
  events: OutboxEvent[];
}

function toClaimed(row: ClaimedRow): ClaimedRowEvents {
  const event = (id: string, entry: OutboxEntry): OutboxEvent => ({
    id,
    type: row.type,
    aggregateId: entry.aggregateId,
    payload: entry.payload,
    createdAt: row.created_at,
  });
  const ids = row.entry_ids;
  const events = ids
    ? (row.payload as OutboxEntry[]).map((entry, i) => event(ids[i], entry))
    : [event(row.id, { aggregateId: row.aggregate_id as string, payload: row.payload as Record<string, unknown> })];
  return { id: row.id, events };
}

const CLAIMED_COLUMNS = `e.id::text AS id, e.type, e.aggregate_id, e.payload, e.entry_ids::text[] AS entry_ids, e.created_at`;

export interface OutboxStats {
  consumer: string;
  pending: number;
  dead: number;
  oldestPendingAgeSeconds: number;
}

/** Oldest pending deliveries examined per event claimed. */
const CANDIDATE_WINDOW = 4;

/** The relay's SQL. Every method runs in the current transaction (TransactionContext.manager). */
@QueryOwner()
@Injectable()
export class OutboxRepository {
  constructor(private readonly transactions: TransactionContext) {}

  /**
   * Locks the next due deliveries of one consumer. Only the oldest pending event of each aggregate
   * is eligible, so events of one record are handled in order even across replicas. A batch row
   * has no single aggregate, so it is a barrier: it is eligible only as the oldest pending row,
   * and nothing after it is until it is delivered. The check looks at a window of the oldest
   * pending deliveries: any earlier pending event of an aggregate is older, so it is inside the
   * window too. The window is read through the (consumer, event_id) partial index, so a round
   * costs the same however long the backlog is.
   */
  async claim(consumer: string, limit: number): Promise<ClaimedRowEvents[]> {
    const rows: ClaimedRow[] = await this.transactions.manager.query(
      `WITH oldest AS MATERIALIZED (
         SELECT event_id, aggregate_id, next_attempt_at FROM outbox_deliveries
         WHERE consumer = $1 AND status = 'pending'
         ORDER BY event_id
         LIMIT $2 * ${CANDIDATE_WINDOW}),
       barrier AS (SELECT min(event_id) AS event_id FROM oldest WHERE aggregate_id IS NULL),
       heads AS (
         SELECT DISTINCT ON (aggregate_id) event_id, next_attempt_at FROM oldest
         WHERE (SELECT event_id FROM barrier) IS NULL OR event_id < (SELECT event_id FROM barrier)
         ORDER BY aggregate_id, event_id),
       eligible AS (
         SELECT event_id, next_attempt_at FROM heads
         UNION ALL
         SELECT event_id, next_attempt_at FROM oldest
         WHERE event_id = (SELECT event_id FROM barrier) AND event_id = (SELECT min(event_id) FROM oldest))
       SELECT ${CLAIMED_COLUMNS}
       FROM eligible
       JOIN outbox_deliveries d ON d.consumer = $1 AND d.event_id = eligible.event_id
       JOIN outbox_events e ON e.id = eligible.event_id
       WHERE eligible.next_attempt_at <= now() AND d.status = 'pending'
       ORDER BY d.event_id
       LIMIT $2
       FOR UPDATE OF d SKIP LOCKED`,
      [consumer, limit],
    );
    return rows.map(toClaimed);
  }

  /**
   * For an `ordered` consumer: true if this transaction now holds the consumer's advisory lock, so
   * no other replica ships it until this transaction ends.
   */
  async lockOrdered(consumer: string): Promise<boolean> {
    const [row] = await this.transactions.manager.query<{ locked: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock(hashtext('outbox-ordered'), hashtext($1)) AS locked`,
      [consumer],
    );
    return row.locked;
  }

  /**
   * For an `ordered` consumer (under `lockOrdered`): its oldest pending rows in id order, up to the
   * first one not yet due, so nothing is handed over before a row that is backing off.
   */
  async claimInOrder(consumer: string, limit: number): Promise<ClaimedRowEvents[]> {
    const rows: ClaimedRow[] = await this.transactions.manager.query(
      `WITH oldest AS MATERIALIZED (
         SELECT event_id, next_attempt_at FROM outbox_deliveries
         WHERE consumer = $1 AND status = 'pending'
         ORDER BY event_id
         LIMIT $2)
       SELECT ${CLAIMED_COLUMNS}
       FROM oldest
       JOIN outbox_deliveries d ON d.consumer = $1 AND d.event_id = oldest.event_id
       JOIN outbox_events e ON e.id = oldest.event_id
       WHERE NOT EXISTS (SELECT 1 FROM oldest later WHERE later.next_attempt_at > now() AND later.event_id <= oldest.event_id)
       ORDER BY d.event_id
       FOR UPDATE OF d`,
      [consumer, limit],
    );
    return rows.map(toClaimed);
  }

  /** Locks one delivery if it is due and nothing it must follow (see `claim`) is pending. */
  async claimOne(consumer: string, eventId: string): Promise<ClaimedRowEvents | undefined> {
    const rows: ClaimedRow[] = await this.transactions.manager.query(
      `SELECT ${CLAIMED_COLUMNS}
       FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
       WHERE d.consumer = $1 AND d.event_id = $2 AND d.status = 'pending' AND d.next_attempt_at <= now()
         AND NOT EXISTS (
           SELECT 1 FROM outbox_deliveries earlier
           WHERE earlier.consumer = $1 AND earlier.status = 'pending' AND earlier.event_id < $2
             AND (earlier.aggregate_id = d.aggregate_id OR earlier.aggregate_id IS NULL OR d.aggregate_id IS NULL))
       FOR UPDATE OF d SKIP LOCKED`,
      [consumer, eventId],
    );
    return rows.map(toClaimed)[0];
  }

  async markDelivered(consumer: string, eventIds: string[]): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE outbox_deliveries SET status = 'delivered', delivered_at = now(), last_error = NULL
       WHERE consumer = $1 AND event_id = ANY($2::bigint[])`,
      [consumer, eventIds],
    );
  }

  /** Counts a failed attempt: retried after a backoff, dead-lettered at `maxAttempts`. */
  async markFailed(consumer: string, eventId: string, error: string, maxAttempts: number): Promise<void> {
    const [row] = await this.transactions.manager.query<{ attempts: number }[]>(
      `SELECT attempts FROM outbox_deliveries WHERE consumer = $1 AND event_id = $2`,
      [consumer, eventId],
    );
    const attempts = (row?.attempts ?? 0) + 1;
    await this.transactions.manager.query(
      `UPDATE outbox_deliveries
       SET attempts = $3::int, last_error = $4, status = CASE WHEN $3::int >= $5::int THEN 'dead' ELSE 'pending' END,
           next_attempt_at = now() + make_interval(secs => $6::double precision / 1000)
       WHERE consumer = $1 AND event_id = $2 AND status = 'pending'`,
      [consumer, eventId, attempts, error.slice(0, 500), maxAttempts, retryDelayMs(attempts)],
    );
  }

  /** A transient failure (`DeliveryUnavailable`): retried after `delayMs`, no attempt counted. */
  async markUnavailable(consumer: string, eventId: string, error: string, delayMs: number): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE outbox_deliveries
       SET last_error = $3, next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)
       WHERE consumer = $1 AND event_id = $2 AND status = 'pending'`,
      [consumer, eventId, error.slice(0, 500), delayMs],
    );
  }

  /** Deletes fully delivered events older than `hours` (dead-lettered ones stay for inspection). */
  async purgeDelivered(hours: number, limit = 10_000): Promise<void> {
    await this.transactions.manager.query(
      `WITH purged AS (
         DELETE FROM outbox_events WHERE id IN (
           SELECT e.id FROM outbox_events e
           WHERE e.created_at < now() - make_interval(hours => $1::int)
             AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.event_id = e.id AND d.status <> 'delivered')
           ORDER BY e.id LIMIT $2)
         RETURNING id)
       DELETE FROM outbox_deliveries WHERE event_id IN (SELECT id FROM purged)`,
      [hours, limit],
    );
  }

  async stats(): Promise<OutboxStats[]> {
    const rows = await this.transactions.manager.query<
      { consumer: string; pending: string; dead: string; oldest: number | null }[]
    >(
      `SELECT consumer,
              coalesce(sum(event_count) FILTER (WHERE status = 'pending'), 0) AS pending,
              coalesce(sum(event_count) FILTER (WHERE status = 'dead'), 0) AS dead,
              extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8 AS oldest
       FROM outbox_deliveries WHERE status <> 'delivered' GROUP BY consumer ORDER BY consumer`,
    );
    return rows.map((row) => ({
      consumer: row.consumer,
      pending: Number(row.pending),
      dead: Number(row.dead),
      oldestPendingAgeSeconds: Math.round((row.oldest ?? 0) * 10) / 10,
    }));
  }
}
