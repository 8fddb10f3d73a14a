import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { AuditEventDto } from '../../audit/dto/audit-event.dto.js';
import { SessionView } from '../../sessions/dto/session.dto.js';
import { UserView } from '../../users/dto/user.dto.js';

export class EraseSubjectRequest {
  @ApiProperty({
    example: 'GDPR Art. 17 request, ticket DPO-1042',
    minLength: 3,
    maxLength: 500,
    description: 'Why; kept in the audit trail in clear, so it must not contain personal data.',
  })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason: string;
}

export class ErasureView {
  @ApiProperty({ format: 'uuid', example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
  subjectId: string;

  @ApiProperty({ example: true, description: 'false when the subject had been erased already (nothing changed).' })
  erasedNow: boolean;
}

export class SubjectSessionView extends SessionView {
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  revokedAt: string | null;
}

export class SubjectRecordReference {
  @ApiProperty({ example: 'compliance_record' })
  resourceType: string;

  @ApiProperty({ example: '0190f5e2-7c1a-7b3e-9d4f-2a6b8c0d1e2f' })
  resourceId: string;

  @ApiProperty({ type: [String], example: ['compliance.record.updated'] })
  actions: string[];
}

/** The shape of GET /subjects/{id}/export (streamed, so documented here rather than built). */
export class SubjectExportView {
  @ApiProperty({ format: 'uuid', example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
  subjectId: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T10:00:00.000Z' })
  exportedAt: string;

  @ApiProperty({ description: 'true when the subject was erased: every personal field reads `[erased]`.' })
  erased: boolean;

  @ApiProperty({ type: UserView })
  profile: UserView;

  @ApiProperty({ type: [SubjectSessionView], description: 'Every session, live or ended.' })
  sessions: SubjectSessionView[];

  @ApiProperty({
    type: [AuditEventDto],
    description: 'Events the subject is the actor or the resource of, oldest first.',
  })
  auditEvents: AuditEventDto[];

  @ApiProperty({
    type: [SubjectRecordReference],
    description: 'Other resources the audit trail names the subject on (as actor), with what was done.',
  })
  records: SubjectRecordReference[];
}
