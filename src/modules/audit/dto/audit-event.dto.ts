import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { StoredEvent } from '../audit.repository.js';

export class AuditEventDto {
  @ApiProperty({ example: '5f0c2f8e-1d7a-4c39-9a51-3c1f6f0e2b11' })
  id: string;

  @ApiProperty({ example: '2026-11-24T10:15:00.000Z' })
  occurredAt: string;

  @ApiProperty({ example: 'u_42', description: 'user id, `system` or `anonymous`' })
  actorId: string;

  @ApiProperty({ example: 'compliance.record.updated' })
  action: string;

  @ApiPropertyOptional({ example: 'compliance_record', nullable: true })
  resourceType: string | null;

  @ApiPropertyOptional({ example: 'rec_7', nullable: true })
  resourceId: string | null;

  @ApiProperty({ example: 'success', enum: ['success', 'failure', 'denied'] })
  outcome: string;

  @ApiProperty({ example: 'info', enum: ['info', 'warning', 'critical'] })
  severity: string;

  @ApiPropertyOptional({ example: '3b8f9f1e-7c55-4f0e-9d1c-2c9b0b7c1a10', nullable: true })
  requestId: string | null;

  @ApiPropertyOptional({ example: '203.0.113.7', nullable: true })
  ip: string | null;

  @ApiPropertyOptional({ example: 'Mozilla/5.0', nullable: true })
  userAgent: string | null;

  @ApiProperty({ example: { before: { status: 'draft' }, after: { status: 'final' } } })
  details: Record<string, unknown>;

  @ApiProperty({ example: 3, description: 'chain (shard) the event belongs to' })
  shard: number;

  @ApiProperty({ example: 1042, description: 'position in its chain' })
  seq: number;

  @ApiProperty({ example: 'a3f1…', description: 'SHA-256 of prevHash and the canonical event' })
  hash: string;

  static from(event: StoredEvent): AuditEventDto {
    return {
      id: event.id,
      occurredAt: event.occurredAt.toISOString(),
      actorId: event.actorId,
      action: event.action,
      resourceType: event.resourceType,
      resourceId: event.resourceId,
      outcome: event.outcome,
      severity: event.severity,
      requestId: event.requestId,
      ip: event.ip,
      userAgent: event.userAgent,
      details: event.details,
      shard: event.shard,
      seq: event.seq,
      hash: event.hash,
    };
  }
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] })
  items: AuditEventDto[];

  @ApiPropertyOptional({
    example: 'eyJhdCI6IjIwMjYtMTEtMjQgMTA6MTU6MDArMDAiLCJzaGFyZCI6Mywic2VxIjoxMDQyfQ',
    nullable: true,
  })
  nextCursor: string | null;
}
