import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { VerifyReport } from '../audit-verifier.js';

export class BrokenLinkDto {
  @ApiProperty({
    example: 3,
    description: 'chain (shard); -1 for a finding about the checkpoints, whose sequence number is then `seq`',
  })
  shard: number;

  @ApiProperty({ example: 1042 })
  seq: number;

  @ApiProperty({
    example: 'hash_mismatch',
    description:
      'checkpoint_missing: a checkpoint is absent from the chain of checkpoints or from the database although ' +
      'anchored; checkpoint_rewound: the anchor holds checkpoints newer than the newest in the database; ' +
      'anchor_mismatch: an anchored checkpoint differs from the database row of the same sequence number; ' +
      'checkpoint_stale: the newest checkpoint is older than AUDIT_CHECKPOINT_INTERVAL_MS + AUDIT_CHECKPOINT_SLACK_MS',
    enum: [
      'hash_mismatch',
      'prev_hash_mismatch',
      'missing_event',
      'unexpected_event',
      'truncated',
      'checkpoint_mismatch',
      'checkpoint_forged',
      'checkpoint_missing',
      'checkpoint_rewound',
      'anchor_mismatch',
      'checkpoint_stale',
    ],
  })
  reason: string;

  @ApiPropertyOptional({ example: '5f0c2f8e-1d7a-4c39-9a51-3c1f6f0e2b11' })
  eventId?: string;

  @ApiPropertyOptional({ example: '2026-11-24T10:15:00.000Z' })
  occurredAt?: string;
}

export class AnchorReportDto {
  @ApiProperty({ example: 'file', enum: ['file', 'http', 'syslog'], description: 'AUDIT_ANCHOR' })
  sink: string;

  @ApiProperty({
    example: 1440,
    description: 'anchored checkpoints compared with the database (only the file sink can be read back: 0 otherwise)',
  })
  compared: number;
}

export class VerifyReportDto {
  @ApiProperty({ example: true })
  ok: boolean;

  @ApiProperty({ example: 120000 })
  eventsChecked: number;

  @ApiProperty({ example: 1440, description: 'chained checkpoints checked (0 when from/to limit the range)' })
  checkpointsChecked: number;

  @ApiProperty({ type: AnchorReportDto })
  anchor: AnchorReportDto;

  @ApiPropertyOptional({ type: BrokenLinkDto })
  firstBroken?: BrokenLinkDto;

  @ApiPropertyOptional({
    type: [String],
    enum: ['ddl_guard_missing'],
    example: ['ddl_guard_missing'],
    description: 'protections missing although the evidence checked is intact (ddl_guard_missing: see docs/audit.md)',
  })
  warnings?: string[];

  static from(report: VerifyReport): VerifyReportDto {
    const broken = report.firstBroken;
    return {
      ok: report.ok,
      eventsChecked: report.eventsChecked,
      checkpointsChecked: report.checkpointsChecked,
      anchor: report.anchor,
      firstBroken: broken && { ...broken, occurredAt: broken.occurredAt?.toISOString() },
      ...(report.warnings && { warnings: report.warnings }),
    };
  }
}
