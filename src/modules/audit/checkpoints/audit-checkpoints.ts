import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import { AuditClock } from '../audit-clock.js';
import { canonicalJson } from '../chain/audit-hash.js';
import { CHECKPOINT_KEY } from './checkpoint-key.js';

export type CheckpointKind = 'periodic' | 'retention';

/** Where one chain stood: its last sequence number and that event's hash. */
export interface ChainPosition {
  shard: number;
  seq: number;
  hash: string;
}

export interface Checkpoint {
  id: number;
  kind: CheckpointKind;
  createdAt: Date;
  heads: ChainPosition[];
  signature: string;
}

interface CheckpointRow {
  id: string;
  kind: CheckpointKind;
  created_at: Date;
  heads: ChainPosition[];
  signature: string;
}

/**
 * HMAC-signed records of chain heads. A periodic checkpoint makes a truncated tail detectable (the
 * signed head no longer exists); a retention checkpoint is the signed start of each chain after
 * old partitions are dropped.
 */
@Injectable()
export class AuditCheckpoints {
  constructor(
    @Inject(CHECKPOINT_KEY) private readonly key: Buffer,
    private readonly transactions: TransactionContext,
    private readonly clock: AuditClock,
  ) {}

  /** Signs the current committed heads (shards that have events). */
  async writePeriodic(): Promise<Checkpoint> {
    const rows = (await this.transactions.manager.query(
      'SELECT shard, seq, hash FROM audit_chain_heads WHERE seq > 0 ORDER BY shard',
    )) as { shard: number; seq: string; hash: string }[];
    return this.write(
      'periodic',
      rows.map((row) => ({ ...row, seq: Number(row.seq) })),
    );
  }

  async write(kind: CheckpointKind, heads: ChainPosition[], manager?: EntityManager): Promise<Checkpoint> {
    const createdAt = this.clock.now();
    const signature = this.sign(kind, createdAt, heads);
    const [row] = (await (manager ?? this.transactions.manager).query(
      `INSERT INTO audit_checkpoints (kind, created_at, heads, signature) VALUES ($1, $2, $3, $4) RETURNING id`,
      [kind, createdAt, JSON.stringify(heads), signature],
    )) as { id: string }[];
    return { id: Number(row.id), kind, createdAt, heads, signature };
  }

  async latest(kind?: CheckpointKind): Promise<Checkpoint | undefined> {
    const [row] = (await this.transactions.manager.query(
      `SELECT id, kind, created_at, heads, signature FROM audit_checkpoints
       WHERE $1::text IS NULL OR kind = $1 ORDER BY id DESC LIMIT 1`,
      [kind ?? null],
    )) as CheckpointRow[];
    return row && { ...row, id: Number(row.id), createdAt: row.created_at };
  }

  isAuthentic(checkpoint: Checkpoint): boolean {
    const expected = Buffer.from(this.sign(checkpoint.kind, checkpoint.createdAt, checkpoint.heads), 'hex');
    const actual = Buffer.from(checkpoint.signature, 'hex');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  private sign(kind: CheckpointKind, createdAt: Date, heads: ChainPosition[]): string {
    const sorted = [...heads].sort((a, b) => a.shard - b.shard).map(({ shard, seq, hash }) => ({ shard, seq, hash }));
    return createHmac('sha256', this.key)
      .update(canonicalJson({ kind, createdAt, heads: sorted }))
      .digest('hex');
  }
}
