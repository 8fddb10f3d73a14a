import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { DateTime, DecimalQuery, Integer, upperCase } from '../../../../common/validation-rules.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../compliance-records.routes.js';
import { RECORD_STATUSES, type RecordStatus } from '../record-status.js';
import { ENTITY_ID_LENGTH, FRAMEWORK_CODE, FRAMEWORK_FILTER_MESSAGE, SCORE_RANGE } from './record-rules.js';

export const SORT_FIELDS = ['assessedAt', 'createdAt', 'score'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export class ListRecordsQuery {
  @ApiPropertyOptional({ minLength: ENTITY_ID_LENGTH.min, maxLength: ENTITY_ID_LENGTH.max, example: 'org-4711' })
  @IsOptional()
  @IsString()
  @Length(ENTITY_ID_LENGTH.min, ENTITY_ID_LENGTH.max)
  entityId?: string;

  @ApiPropertyOptional({ example: 'SOC2', description: 'A framework code, in any case' })
  @IsOptional()
  @Transform(upperCase)
  @Matches(FRAMEWORK_CODE, { message: FRAMEWORK_FILTER_MESSAGE })
  framework?: string;

  @ApiPropertyOptional({ enum: RECORD_STATUSES })
  @IsOptional()
  @IsIn(RECORD_STATUSES)
  status?: RecordStatus;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, example: 50 })
  @IsOptional()
  @DecimalQuery(SCORE_RANGE)
  minScore?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, example: 100 })
  @IsOptional()
  @DecimalQuery(SCORE_RANGE)
  maxScore?: number;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'Inclusive' })
  @IsOptional()
  @DateTime()
  assessedFrom?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'Inclusive' })
  @IsOptional()
  @DateTime()
  assessedTo?: Date;

  @ApiPropertyOptional({ enum: SORT_FIELDS, default: 'createdAt' })
  @IsOptional()
  @IsIn(SORT_FIELDS)
  sort: SortField = 'createdAt';

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'desc';

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Integer({ min: 1, max: MAX_PAGE_SIZE }, 'query')
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ minLength: 1, maxLength: 512, description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}
