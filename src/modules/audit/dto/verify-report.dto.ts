import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { VerifyReport } from '../audit-verifier.js';

export class BrokenLinkDto {
  @ApiProperty({ example: 3, description: 'chain (shard); -1 for a forged checkpoint' })
  shard: number;

  @ApiProperty({ example: 1042 })
  seq: number;

  @ApiProperty({
    example: 'hash_mismatch',
    enum: [
      'hash_mismatch',
      'prev_hash_mismatch',
      'missing_event',
      'unexpected_event',
      'truncated',
      'checkpoint_mismatch',
      'checkpoint_forged',
    ],
  })
  reason: string;

  @ApiPropertyOptional({ example: '5f0c2f8e-1d7a-4c39-9a51-3c1f6f0e2b11' })
  eventId?: string;

  @ApiPropertyOptional({ example: '2026-11-24T10:15:00.000Z' })
  occurredAt?: string;
}

export class VerifyReportDto {
  @ApiProperty({ example: true })
  ok: boolean;

  @ApiProperty({ example: 120000 })
  eventsChecked: number;

  @ApiPropertyOptional({ type: BrokenLinkDto })
  firstBroken?: BrokenLinkDto;

  static from(report: VerifyReport): VerifyReportDto {
    const broken = report.firstBroken;
    return {
      ok: report.ok,
      eventsChecked: report.eventsChecked,
      firstBroken: broken && { ...broken, occurredAt: broken.occurredAt?.toISOString() },
    };
  }
}
