import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import { AuditClock } from '../audit-clock.js';
import { canonicalJson, GENESIS_HASH } from '../chain/audit-hash.js';
import { CHECKPOINT_ANCHOR, type CheckpointAnchor } from './checkpoint-anchor.js';
import { CHECKPOINT_KEY } from './checkpoint-key.js';
import { QueryOwner } from '../../../infrastructure/database/query-owner.js';

export type CheckpointKind = 'periodic' | 'retention';

/** Where one chain stood: its last sequence number and that event's hash. */
export interface ChainPosition {
  shard: number;
  seq: number;
  hash: string;
}

export interface Checkpoint {
  id: number;
  /** Place in the checkpoint chain (1, 2, …); absent on checkpoints written before they were chained. */
  seq?: number;
  /** Signature of the checkpoint before this one (GENESIS_HASH for the first). */
  prevSignature?: string;
  kind: CheckpointKind;
  createdAt: Date;
  heads: ChainPosition[];
  signature: string;
}

interface CheckpointRow {
  id: string;
  seq: string | null;
  prev_signature: string | null;
  kind: CheckpointKind;
  created_at: Date;
  heads: ChainPosition[];
  signature: string;
}

const COLUMNS = 'id, seq, prev_signature, kind, created_at, heads, signature';
/** Serialises checkpoint writers across replicas, so each one links to the one before it. */
const WRITER_LOCK = 7_261_001;

/**
 * HMAC-signed records of chain heads, themselves a chain: each MAC covers its sequence number and
 * the previous checkpoint's MAC, so a deleted or rewound checkpoint shows. A periodic checkpoint
 * makes a truncated tail detectable (the signed head no longer exists); a retention checkpoint is
 * the signed start of each chain after old partitions are dropped. Every checkpoint is also handed
 * to the anchor (outside the database) once it has committed.
 */
@QueryOwner()
@Injectable()
export class AuditCheckpoints {
  private readonly logger = new Logger('AuditCheckpoints');

  constructor(
    @Inject(CHECKPOINT_KEY) private readonly key: Buffer,
    @Inject(CHECKPOINT_ANCHOR) private readonly anchor: CheckpointAnchor,
    private readonly transactions: TransactionContext,
    private readonly clock: AuditClock,
  ) {}

  /** Signs the current committed heads (shards that have events), in a transaction of its own. */
  writePeriodic(): Promise<Checkpoint> {
    return this.transactions.runDetached((manager) => this.write('periodic', undefined, manager));
  }

  /** `heads` undefined: the chain heads as committed once this writer holds the lock. */
  async write(kind: CheckpointKind, heads: ChainPosition[] | undefined, manager: EntityManager): Promise<Checkpoint> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [WRITER_LOCK]);
    const signed = heads ?? (await currentHeads(manager));
    const [previous] = (await manager.query(
      'SELECT seq, signature FROM audit_checkpoints WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
    )) as { seq: string; signature: string }[];
    const seq = previous ? Number(previous.seq) + 1 : 1;
    const prevSignature = previous?.signature ?? GENESIS_HASH;
    const createdAt = this.clock.now();
    const draft = { seq, prevSignature, kind, createdAt, heads: signed };
    const signature = this.sign(draft);
    const [row] = (await manager.query(
      `INSERT INTO audit_checkpoints (seq, prev_signature, kind, created_at, heads, signature)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [seq, prevSignature, kind, createdAt, JSON.stringify(signed), signature],
    )) as { id: string }[];
    const checkpoint: Checkpoint = { id: Number(row.id), ...draft, signature };
    await this.transactions.afterCommit(() =>
      this.anchor.append(checkpoint).catch((error: Error) => {
        this.logger.error(`anchoring checkpoint ${seq} to the ${this.anchor.sink} sink failed: ${error.message}`);
      }),
    );
    return checkpoint;
  }

  async latest(kind?: CheckpointKind): Promise<Checkpoint | undefined> {
    const [row] = (await this.transactions.manager.query(
      `SELECT ${COLUMNS} FROM audit_checkpoints WHERE $1::text IS NULL OR kind = $1 ORDER BY id DESC LIMIT 1`,
      [kind ?? null],
    )) as CheckpointRow[];
    return row && toCheckpoint(row);
  }

  /** Chained checkpoints with `seq` > `afterSeq`, in chain order. */
  async page(afterSeq: number, limit: number): Promise<Checkpoint[]> {
    const rows = (await this.transactions.manager.query(
      `SELECT ${COLUMNS} FROM audit_checkpoints WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    )) as CheckpointRow[];
    return rows.map(toCheckpoint);
  }

  /** Signatures of the chained checkpoints with these sequence numbers. */
  async signatures(seqs: number[]): Promise<Map<number, string>> {
    const rows = (await this.transactions.manager.query(
      'SELECT seq, signature FROM audit_checkpoints WHERE seq = ANY($1::bigint[])',
      [seqs],
    )) as { seq: string; signature: string }[];
    return new Map(rows.map((row) => [Number(row.seq), row.signature]));
  }

  isAuthentic(checkpoint: Checkpoint): boolean {
    const expected = Buffer.from(this.sign(checkpoint), 'hex');
    const actual = Buffer.from(checkpoint.signature, 'hex');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  private sign(checkpoint: Omit<Checkpoint, 'id' | 'signature'>): string {
    const { seq, prevSignature, kind, createdAt } = checkpoint;
    const heads = [...checkpoint.heads]
      .sort((a, b) => a.shard - b.shard)
      .map(({ shard, seq: at, hash }) => ({ shard, seq: at, hash }));
    // Checkpoints from before the chain keep the format they were signed in.
    const content =
      seq === undefined ? { kind, createdAt, heads } : { v: 2, seq, prevSignature, kind, createdAt, heads };
    return createHmac('sha256', this.key).update(canonicalJson(content)).digest('hex');
  }
}

async function currentHeads(manager: EntityManager): Promise<ChainPosition[]> {
  const rows = (await manager.query('SELECT shard, seq, hash FROM audit_chain_heads WHERE seq > 0 ORDER BY shard')) as {
    shard: number;
    seq: string;
    hash: string;
  }[];
  return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    id: Number(row.id),
    ...(row.seq !== null && { seq: Number(row.seq), prevSignature: row.prev_signature ?? undefined }),
    kind: row.kind,
    createdAt: row.created_at,
    heads: row.heads,
    signature: row.signature,
  };
}
