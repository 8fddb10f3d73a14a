import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDate,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { MAX_DETAILS_BYTES, MAX_EVIDENCE_NOTES_LENGTH } from '../compliance-records.routes.js';
import { RECORD_STATUSES, type RecordStatus } from '../record-status.js';
import { MaxJsonSize } from './max-json-size.js';

export class CreateRecordDto {
  @ApiProperty({ example: 'org-4711', description: 'The assessed entity (organisation, system, vendor)' })
  @IsString()
  @Length(1, 128)
  entityId: string;

  @ApiProperty({ example: 'GDPR', description: 'A code from the frameworks table' })
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9-]{0,31}$/, { message: 'framework must be an upper-case framework code' })
  framework: string;

  @ApiProperty({ example: 'Art.32-1' })
  @IsString()
  @Length(1, 64)
  controlId: string;

  @ApiProperty({ enum: RECORD_STATUSES, example: 'passed' })
  @IsIn(RECORD_STATUSES)
  status: RecordStatus;

  @ApiProperty({ minimum: 0, maximum: 100, example: 92.5 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100)
  score: number;

  @ApiPropertyOptional({
    example: { reviewer: 'team-a', checks: 12 },
    description: `JSON object, at most ${MAX_DETAILS_BYTES} bytes`,
  })
  @IsOptional()
  @IsObject()
  @MaxJsonSize(MAX_DETAILS_BYTES)
  details?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'Interviewed J. Doe (DPO); access log reviewed.',
    maxLength: MAX_EVIDENCE_NOTES_LENGTH,
    nullable: true,
    description: 'Free text, stored encrypted; send null to clear it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_EVIDENCE_NOTES_LENGTH)
  evidenceNotes?: string | null;

  @ApiPropertyOptional({ example: '2026-11-20T10:00:00Z', description: 'Defaults to now' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  assessedAt?: Date;
}
