import type { ChainPosition, Checkpoint, CheckpointKind } from './audit-checkpoints.js';

/** One checkpoint as written outside the database: one JSON object per line, message or request. */
export interface AnchoredCheckpoint {
  database: string;
  seq: number;
  kind: CheckpointKind;
  createdAt: string;
  heads: ChainPosition[];
  prevSignature: string;
  signature: string;
}

/**
 * A sink the database cannot rewrite, holding a copy of every checkpoint. Only the file sink can
 * be read back, so only it lets verify compare the database's checkpoints with the anchored ones.
 */
export interface CheckpointAnchor {
  readonly sink: 'file' | 'http' | 'syslog';
  append(checkpoint: Checkpoint): Promise<void>;
  /** Every anchored checkpoint of this database, in the order written; absent when write-only. */
  read?(): AsyncIterable<AnchoredCheckpoint>;
}

export function anchoredCheckpoint(database: string, checkpoint: Checkpoint): AnchoredCheckpoint {
  return {
    database,
    seq: checkpoint.seq ?? 0,
    kind: checkpoint.kind,
    createdAt: checkpoint.createdAt.toISOString(),
    heads: checkpoint.heads,
    prevSignature: checkpoint.prevSignature ?? '',
    signature: checkpoint.signature,
  };
}
