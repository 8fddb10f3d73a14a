import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { DateTime, Required, upperCase } from '../../../../common/validation-rules.js';
import { ENTITY_ID_LENGTH, FRAMEWORK_CODE, FRAMEWORK_FILTER_MESSAGE } from '../../records/dto/record-rules.js';

export class AssessmentResultsQuery {
  @ApiProperty({ example: 'NIST-800-53-MODERATE', description: 'A framework code, in any case' })
  @Required()
  @Transform(upperCase)
  @Matches(FRAMEWORK_CODE, { message: FRAMEWORK_FILTER_MESSAGE })
  framework: string;

  @ApiPropertyOptional({
    minLength: ENTITY_ID_LENGTH.min,
    maxLength: ENTITY_ID_LENGTH.max,
    example: 'org-4711',
    description: 'Only the records of this entity',
  })
  @IsOptional()
  @IsString()
  @Length(ENTITY_ID_LENGTH.min, ENTITY_ID_LENGTH.max)
  entityId?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'Inclusive' })
  @IsOptional()
  @DateTime()
  assessedFrom?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'Exclusive' })
  @IsOptional()
  @DateTime()
  assessedTo?: Date;
}
