import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { AUDIT_SHARDS } from '../../infrastructure/database/migrations/1764400000000-CreateAuditTrail.js';
import { AUDIT_VERIFICATIONS_METRIC } from './audit-metrics.js';
import { AuditRepository, StoredEvent } from './audit.repository.js';
import { GENESIS_HASH, hashEvent } from './chain/audit-hash.js';
import { AuditGuards, GuardWarning } from './audit-guards.js';
import { AuditCheckpoints, ChainPosition, Checkpoint } from './checkpoints/audit-checkpoints.js';
import { CheckpointChainVerifier, CheckpointFindingReason } from './checkpoints/checkpoint-chain-verifier.js';

export type BrokenReason =
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'missing_event'
  | 'unexpected_event'
  | 'truncated'
  | 'checkpoint_mismatch'
  | CheckpointFindingReason;

export interface BrokenLink {
  shard: number;
  /** The sequence number where the chain first stops matching. */
  seq: number;
  reason: BrokenReason;
  eventId?: string;
  occurredAt?: Date;
}

export interface VerifyReport {
  ok: boolean;
  eventsChecked: number;
  /** Chained checkpoints checked (whole-trail verification only). */
  checkpointsChecked: number;
  /** The sink checkpoints are anchored to, and how many anchored checkpoints were compared. */
  anchor: { sink: 'file' | 'http' | 'syslog'; compared: number };
  firstBroken?: BrokenLink;
  /** Protections that are missing although the evidence checked is intact. */
  warnings?: GuardWarning[];
}

const PAGE = 5_000;

/**
 * Recomputes every chain: each event's hash, its link to the previous event, a contiguous sequence
 * from the retention anchor (or genesis), and, when the whole trail is checked (no from/to), the tail against the
 * chain head and the last signed checkpoint, so a deleted tail is caught too.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    private readonly repository: AuditRepository,
    private readonly checkpoints: AuditCheckpoints,
    private readonly checkpointChain: CheckpointChainVerifier,
    private readonly guards: AuditGuards,
    @InjectMetric(AUDIT_VERIFICATIONS_METRIC) private readonly verifications: Counter<'result'>,
  ) {
    // Exported at 0 from boot: `increase()` cannot see a first `broken` that creates its series.
    for (const result of ['ok', 'broken']) verifications.inc({ result }, 0);
  }

  /** Counted so a broken trail found by any caller can page someone (docs/operations.md#alerts). */
  async verify(range: { from?: Date; to?: Date } = {}): Promise<VerifyReport> {
    const report = await this.check(range);
    this.verifications.inc({ result: report.ok ? 'ok' : 'broken' });
    return report;
  }

  private async check(range: { from?: Date; to?: Date }): Promise<VerifyReport> {
    const anchor = await this.checkpoints.latest('retention');
    const latest = await this.checkpoints.latest();
    let eventsChecked = 0;
    const broken: BrokenLink[] = [];
    const whole = !range.from && !range.to;
    const chain = whole ? await this.checkpointChain.verify() : undefined;
    const warnings = await this.guards.warnings();
    const done = (links: BrokenLink[]): VerifyReport => ({
      ok: links.length === 0,
      eventsChecked,
      checkpointsChecked: chain?.checked ?? 0,
      anchor: chain?.anchor ?? { sink: this.checkpointChain.sink, compared: 0 },
      firstBroken: earliest(links),
      ...(warnings.length && { warnings }),
    });
    for (const checkpoint of [anchor, latest]) {
      if (checkpoint && !this.checkpoints.isAuthentic(checkpoint)) {
        return done([{ shard: -1, seq: checkpoint.seq ?? 0, reason: 'checkpoint_forged' }]);
      }
    }
    if (chain?.finding) broken.push({ shard: -1, ...chain.finding });
    const heads = whole ? await this.repository.heads() : [];
    for (let shard = 0; shard < AUDIT_SHARDS; shard++) {
      const head = heads.find((h) => h.shard === shard);
      const tail = head && { head, signed: positionIn(latest, shard) };
      const result = await this.verifyShard(shard, range, positionIn(anchor, shard), tail);
      eventsChecked += result.checked;
      if (result.broken) broken.push(result.broken);
    }
    const stray = whole ? await this.repository.outsideShards(AUDIT_SHARDS) : undefined;
    if (stray) broken.push({ shard: stray.shard, seq: stray.seq, reason: 'unexpected_event', eventId: stray.id });
    return done(broken);
  }

  private async verifyShard(
    shard: number,
    range: { from?: Date; to?: Date },
    anchor: ChainPosition,
    tail?: { head: ChainPosition; signed: ChainPosition },
  ): Promise<{ checked: number; broken?: BrokenLink }> {
    let checked = 0;
    let expected = anchor.seq + 1;
    let prevHash: string | undefined = anchor.hash;
    let signedSeen = !tail || tail.signed.seq <= anchor.seq;
    const fail = (seq: number, reason: BrokenReason, event?: StoredEvent) => ({
      checked,
      broken: { shard, seq, reason, eventId: event?.id, occurredAt: event?.occurredAt },
    });
    for (let after = anchor.seq; ;) {
      const page = await this.repository.chain(shard, after, PAGE, { ...range, upToSeq: tail?.head.seq });
      for (const event of page) {
        if (range.from && checked === 0 && event.seq > expected) {
          // A window starts mid-chain: link it to the event just before it.
          expected = event.seq;
          prevHash = (await this.repository.at(shard, event.seq - 1))?.hash;
          if (prevHash === undefined) return fail(event.seq - 1, 'missing_event');
        }
        checked++;
        if (event.seq > expected) return fail(expected, 'missing_event', event);
        if (event.seq < expected) return fail(event.seq, 'unexpected_event', event);
        if (event.prevHash !== prevHash) return fail(event.seq, 'prev_hash_mismatch', event);
        const { key: _key, hash, ...content } = event;
        if (hashEvent(content) !== hash) return fail(event.seq, 'hash_mismatch', event);
        if (tail?.signed.seq === event.seq) {
          if (tail.signed.hash !== hash) return fail(event.seq, 'checkpoint_mismatch', event);
          signedSeen = true;
        }
        prevHash = hash;
        expected++;
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].seq;
    }
    if (!tail) return { checked };
    if (!signedSeen || tail.head.seq >= expected) return fail(expected, 'truncated');
    if (tail.head.hash !== prevHash) return fail(tail.head.seq, 'hash_mismatch');
    const beyond = await this.repository.chain(shard, tail.head.seq, 1);
    // Rows past the head we read are either appended since (the head moved too) or forged.
    if (beyond.length && (await this.repository.head(shard)).seq < beyond[0].seq) {
      return fail(beyond[0].seq, 'unexpected_event', beyond[0]);
    }
    return { checked };
  }
}

function positionIn(checkpoint: Checkpoint | undefined, shard: number): ChainPosition {
  return checkpoint?.heads.find((h) => h.shard === shard) ?? { shard, seq: 0, hash: GENESIS_HASH };
}

function earliest(broken: BrokenLink[]): BrokenLink | undefined {
  const time = (link: BrokenLink) => link.occurredAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return [...broken].sort((a, b) => time(a) - time(b) || a.shard - b.shard)[0];
}
