import { ApiProperty } from '@nestjs/swagger';
import type { AuditEventDto } from '../../audit/dto/audit-event.dto.js';
import { type DetectorName, DETECTORS, SIGNAL_ACTION_PREFIX } from '../security-signal.js';

export class SecuritySignalDto {
  @ApiProperty({ format: 'uuid', example: '5f0c2f8e-1d7a-4c39-9a51-3c1f6f0e2b11', description: 'its audit event id' })
  id: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-02T10:15:00.000Z' })
  occurredAt: string;

  @ApiProperty({ enum: DETECTORS, example: 'auth-failure-burst' })
  detector: DetectorName;

  @ApiProperty({ example: 'warning', enum: ['info', 'warning', 'critical'] })
  severity: string;

  @ApiProperty({ example: 'u_42', description: 'the user or API key the signal is about, else `system`' })
  actorId: string;

  @ApiProperty({ type: String, example: 'session', nullable: true })
  resourceType: string | null;

  @ApiProperty({ type: String, example: '0f5c1b8e-6a2d-4c3f-9e7a-1d2b3c4d5e6f', nullable: true })
  resourceId: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { subject: 'ip', subjectId: '9c1f0a7d2b3e4f56', refusals: 20, threshold: 20, windowSeconds: 60 },
    description: 'What fired, by hashes, ids and counts: never an IP address, an email or a secret',
  })
  details: Record<string, unknown>;

  static from(event: AuditEventDto): SecuritySignalDto {
    return {
      id: event.id,
      occurredAt: event.occurredAt,
      detector: event.action.slice(SIGNAL_ACTION_PREFIX.length) as DetectorName,
      severity: event.severity,
      actorId: event.actorId,
      resourceType: event.resourceType,
      resourceId: event.resourceId,
      details: event.details,
    };
  }
}

export class SecuritySignalListDto {
  @ApiProperty({ type: [SecuritySignalDto], description: 'newest first' })
  items: SecuritySignalDto[];
}
