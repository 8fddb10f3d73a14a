import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { RECORD_STATUSES, type RecordStatus } from '../record-status.js';
import { DateTime } from '../../../../common/validation-rules.js';
import { MaxJsonSize } from './max-json-size.js';
import {
  CONTROL_ID_LENGTH,
  ENTITY_ID_LENGTH,
  FRAMEWORK_CODE,
  FRAMEWORK_CODE_MESSAGE,
  MAX_DETAILS_BYTES,
  MAX_EVIDENCE_NOTES_LENGTH,
  IsScoreNumber,
  SCORE_RANGE,
} from './record-rules.js';

export class CreateRecordDto {
  @ApiProperty({
    minLength: ENTITY_ID_LENGTH.min,
    maxLength: ENTITY_ID_LENGTH.max,
    example: 'org-4711',
    description: 'The assessed entity (organisation, system, vendor)',
  })
  @IsString()
  @Length(ENTITY_ID_LENGTH.min, ENTITY_ID_LENGTH.max)
  entityId: string;

  @ApiProperty({
    example: 'GDPR',
    pattern: FRAMEWORK_CODE.source,
    description: 'A code listed by GET /compliance/frameworks',
  })
  @IsString()
  @Matches(FRAMEWORK_CODE, { message: FRAMEWORK_CODE_MESSAGE })
  framework: string;

  @ApiProperty({ minLength: CONTROL_ID_LENGTH.min, maxLength: CONTROL_ID_LENGTH.max, example: 'Art.32-1' })
  @IsString()
  @Length(CONTROL_ID_LENGTH.min, CONTROL_ID_LENGTH.max)
  controlId: string;

  @ApiProperty({ enum: RECORD_STATUSES, example: 'passed' })
  @IsIn(RECORD_STATUSES)
  status: RecordStatus;

  @ApiProperty({ minimum: SCORE_RANGE.min, maximum: SCORE_RANGE.max, example: 92.5 })
  @IsScoreNumber()
  @Min(SCORE_RANGE.min)
  @Max(SCORE_RANGE.max)
  score: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { reviewer: 'team-a', checks: 12 },
    description: `JSON object, at most ${MAX_DETAILS_BYTES} bytes`,
  })
  @IsOptional()
  @IsObject()
  @MaxJsonSize(MAX_DETAILS_BYTES)
  details?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: String,
    example: 'Interviewed J. Doe (DPO); access log reviewed.',
    maxLength: MAX_EVIDENCE_NOTES_LENGTH,
    nullable: true,
    description: 'Free text, stored encrypted; send null to clear it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_EVIDENCE_NOTES_LENGTH)
  evidenceNotes?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2026-11-20T10:00:00Z',
    description: 'ISO 8601 with a time zone; defaults to now',
  })
  @IsOptional()
  @DateTime()
  assessedAt?: Date;
}
