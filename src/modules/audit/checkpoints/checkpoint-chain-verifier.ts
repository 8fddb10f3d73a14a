import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import { AuditClock } from '../audit-clock.js';
import { GENESIS_HASH } from '../chain/audit-hash.js';
import { AuditCheckpoints, Checkpoint } from './audit-checkpoints.js';
import { type AnchoredCheckpoint, CHECKPOINT_ANCHOR, type CheckpointAnchor } from './checkpoint-anchor.js';

export type CheckpointFindingReason =
  'checkpoint_forged' | 'checkpoint_missing' | 'checkpoint_rewound' | 'anchor_mismatch' | 'checkpoint_stale';

export interface CheckpointFinding {
  reason: CheckpointFindingReason;
  /** The checkpoint's sequence number (0 when there is none to name). */
  seq: number;
}

export interface CheckpointChainReport {
  checked: number;
  newest?: Checkpoint;
  anchor: { sink: CheckpointAnchor['sink']; compared: number };
  finding?: CheckpointFinding;
}

const PAGE = 1_000;
const PRIORITY: CheckpointFindingReason[] = [
  'checkpoint_forged',
  'checkpoint_missing',
  'checkpoint_rewound',
  'anchor_mismatch',
  'checkpoint_stale',
];

/**
 * Checks the checkpoints as a chain of their own: every MAC, contiguous sequence numbers, each
 * linked to the one before; then that every anchored checkpoint is in the database with the same
 * signature (a newer anchored one means the database was rewound); then that the newest is no
 * older than AUDIT_CHECKPOINT_INTERVAL_MS + AUDIT_CHECKPOINT_SLACK_MS.
 */
@Injectable()
export class CheckpointChainVerifier {
  constructor(
    private readonly checkpoints: AuditCheckpoints,
    @Inject(CHECKPOINT_ANCHOR) private readonly anchor: CheckpointAnchor,
    private readonly transactions: TransactionContext,
    private readonly config: AppConfig,
    private readonly clock: AuditClock,
  ) {}

  get sink(): CheckpointAnchor['sink'] {
    return this.anchor.sink;
  }

  async verify(): Promise<CheckpointChainReport> {
    const findings: CheckpointFinding[] = [];
    let checked = 0;
    let newest: Checkpoint | undefined;
    for (let after = 0; ;) {
      const page = await this.checkpoints.page(after, PAGE);
      for (const checkpoint of page) {
        checked++;
        const seq = checkpoint.seq as number;
        if (!this.checkpoints.isAuthentic(checkpoint)) findings.push({ reason: 'checkpoint_forged', seq });
        else if (seq !== (newest?.seq ?? 0) + 1)
          findings.push({ reason: 'checkpoint_missing', seq: (newest?.seq ?? 0) + 1 });
        else if (checkpoint.prevSignature !== (newest?.signature ?? GENESIS_HASH)) {
          findings.push({ reason: 'checkpoint_missing', seq: seq - 1 });
        }
        newest = checkpoint;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].seq as number;
    }
    newest ??= await this.checkpoints.latest();
    const compared = await this.compareAnchor(newest?.seq ?? 0, findings);
    const stale = await this.staleness(newest);
    if (stale) findings.push(stale);
    const finding = findings.sort(
      (a, b) => PRIORITY.indexOf(a.reason) - PRIORITY.indexOf(b.reason) || a.seq - b.seq,
    )[0];
    return { checked, newest, anchor: { sink: this.anchor.sink, compared }, finding };
  }

  private async compareAnchor(newestSeq: number, findings: CheckpointFinding[]): Promise<number> {
    if (!this.anchor.read) return 0;
    let compared = 0;
    let batch: AnchoredCheckpoint[] = [];
    const flush = async () => {
      const stored = await this.checkpoints.signatures(batch.map((entry) => entry.seq));
      for (const entry of batch) {
        const signature = stored.get(entry.seq);
        if (signature === undefined) {
          findings.push({
            reason: entry.seq > newestSeq ? 'checkpoint_rewound' : 'checkpoint_missing',
            seq: entry.seq,
          });
        } else if (signature !== entry.signature) findings.push({ reason: 'anchor_mismatch', seq: entry.seq });
      }
      compared += batch.length;
      batch = [];
    };
    for await (const entry of this.anchor.read()) {
      batch.push(entry);
      if (batch.length === PAGE) await flush();
    }
    if (batch.length) await flush();
    return compared;
  }

  /** With no checkpoint at all, the trail's oldest event stands in for when the first one was due. */
  private async staleness(newest: Checkpoint | undefined): Promise<CheckpointFinding | undefined> {
    let since = newest?.createdAt;
    if (!since) {
      const [row] = (await this.transactions.manager.query('SELECT min(occurred_at) AS at FROM audit_events')) as {
        at: Date | null;
      }[];
      since = row.at ?? undefined;
    }
    const { checkpointIntervalMs, checkpointSlackMs } = this.config.audit;
    if (!since || this.clock.now().getTime() - since.getTime() <= checkpointIntervalMs + checkpointSlackMs) return;
    return { reason: 'checkpoint_stale', seq: newest?.seq ?? 0 };
  }
}
