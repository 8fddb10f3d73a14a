import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DateTime, Integer } from '../../../common/validation-rules.js';
import { AUDIT_SEVERITIES, type AuditSeverity } from '../../audit/audit-event.js';
import { type DetectorName, DETECTORS } from '../security-signal.js';

export const MAX_SIGNALS_PAGE = 200;

export class ListSignalsQuery {
  @ApiPropertyOptional({ enum: DETECTORS, example: 'auth-failure-burst' })
  @IsOptional()
  @IsIn(DETECTORS)
  detector?: DetectorName;

  @ApiPropertyOptional({ enum: AUDIT_SEVERITIES, example: 'critical' })
  @IsOptional()
  @IsIn(AUDIT_SEVERITIES)
  severity?: AuditSeverity;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2026-12-01T00:00:00Z',
    description: 'only signals raised at or after this time',
  })
  @IsOptional()
  @DateTime()
  since?: Date;

  @ApiPropertyOptional({ type: 'integer', example: 50, minimum: 1, maximum: MAX_SIGNALS_PAGE, default: 50 })
  @IsOptional()
  @Integer({ min: 1, max: MAX_SIGNALS_PAGE }, 'query')
  limit = 50;
}
