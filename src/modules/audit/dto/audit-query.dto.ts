import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { DateTime, Integer } from '../../../common/validation-rules.js';
import { AUDIT_SEVERITIES, type AuditSeverity } from '../audit-event.js';

export class TimeRangeQuery {
  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'inclusive' })
  @IsOptional()
  @DateTime()
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'exclusive' })
  @IsOptional()
  @DateTime()
  to?: Date;
}

export class ListAuditEventsQuery extends TimeRangeQuery {
  @ApiPropertyOptional({ example: 'u_42', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ example: 'auth.login.failed', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  action?: string;

  @ApiPropertyOptional({ example: 'compliance_record', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  resourceType?: string;

  @ApiPropertyOptional({ example: 'rec_7', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  resourceId?: string;

  @ApiPropertyOptional({ enum: AUDIT_SEVERITIES, example: 'critical' })
  @IsOptional()
  @IsIn(AUDIT_SEVERITIES)
  severity?: AuditSeverity;

  @ApiPropertyOptional({ maxLength: 500, description: '`nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', example: 50, minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Integer({ min: 1, max: 500 }, 'query')
  limit = 50;
}

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;

export class ExportAuditEventsQuery extends TimeRangeQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'ndjson' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format: (typeof EXPORT_FORMATS)[number] = 'ndjson';
}
