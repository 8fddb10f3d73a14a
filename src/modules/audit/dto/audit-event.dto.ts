import { ApiProperty } from '@nestjs/swagger';
import type { StoredEvent } from '../audit.repository.js';
import type { OpenedParts } from '../audit-sealer.js';

export class AuditEventDto {
  @ApiProperty({ format: 'uuid', example: '5f0c2f8e-1d7a-4c39-9a51-3c1f6f0e2b11' })
  id: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T10:15:00.000Z' })
  occurredAt: string;

  @ApiProperty({ example: 'u_42', description: 'user id, `system` or `anonymous`' })
  actorId: string;

  @ApiProperty({ example: 'compliance.record.updated' })
  action: string;

  @ApiProperty({ type: String, example: 'compliance_record', nullable: true })
  resourceType: string | null;

  @ApiProperty({ type: String, example: 'rec_7', nullable: true })
  resourceId: string | null;

  @ApiProperty({ example: 'success', enum: ['success', 'failure', 'denied'] })
  outcome: string;

  @ApiProperty({ example: 'info', enum: ['info', 'warning', 'critical'] })
  severity: string;

  @ApiProperty({ type: String, example: '3b8f9f1e-7c55-4f0e-9d1c-2c9b0b7c1a10', nullable: true })
  requestId: string | null;

  @ApiProperty({
    type: String,
    example: '4bf92f3577b34da6a3ce929d0e0e4736',
    nullable: true,
    description: 'W3C trace id of the request or job that recorded the event; null with tracing off (docs/tracing.md)',
  })
  traceId: string | null;

  @ApiProperty({
    type: String,
    example: '203.0.113.7',
    nullable: true,
    description: 'Stored encrypted; `[unreadable]` when it cannot be decrypted',
  })
  ip: string | null;

  @ApiProperty({
    type: String,
    example: 'Mozilla/5.0',
    nullable: true,
    description: 'Stored encrypted; `[unreadable]` when it cannot be decrypted',
  })
  userAgent: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { before: { status: 'draft', evidenceNotes: '[encrypted]' }, after: { status: 'final' } },
    description: 'Stored in plaintext; encrypted fields show as `[encrypted]`',
  })
  details: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { before: { evidenceNotes: 'Checked by Jane' }, after: { evidenceNotes: null } },
    description:
      'Old and new values of encrypted fields, stored encrypted and decrypted for this response; `{"sealed":"[unreadable]"}` when they cannot be decrypted',
  })
  sensitive: Record<string, unknown> | null;

  @ApiProperty({ type: 'integer', example: 3, description: 'chain (shard) the event belongs to' })
  shard: number;

  @ApiProperty({ type: 'integer', example: 1042, description: 'position in its chain' })
  seq: number;

  @ApiProperty({
    example: 'a3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
    description: 'SHA-256 (hex) of prevHash and the canonical event',
  })
  hash: string;

  /** `opened`: the event's sealed parts, decrypted (AuditSealer). */
  static from(event: StoredEvent, opened: OpenedParts): AuditEventDto {
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
      traceId: event.traceId ?? null,
      ip: opened.ip,
      userAgent: opened.userAgent,
      details: opened.details,
      sensitive: opened.sensitive,
      shard: event.shard,
      seq: event.seq,
      hash: event.hash,
    };
  }
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] })
  items: AuditEventDto[];

  @ApiProperty({
    type: String,
    example: 'eyJhdCI6IjIwMjYtMTEtMjQgMTA6MTU6MDArMDAiLCJzaGFyZCI6Mywic2VxIjoxMDQyfQ',
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}
