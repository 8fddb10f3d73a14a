import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { commaSeparated, Integer, Required } from '../../../common/validation-rules.js';
import {
  ALL_KEYWORD_FIELDS,
  SEARCH_INDEXES,
  type SearchIndexName,
} from '../../../infrastructure/search/search-document.js';

export const MAX_QUERY_LENGTH = 200;
const MAX_FILTER_LENGTH = 100;

export class SuggestParamsDto {
  @ApiProperty({ description: 'Prefix of a control id or entity id', example: 'CC6', maxLength: 50 })
  @Required()
  @IsString()
  @MaxLength(50)
  q: string;

  @ApiPropertyOptional({ enum: SEARCH_INDEXES, default: 'compliance' })
  @IsIn(SEARCH_INDEXES)
  index: SearchIndexName = 'compliance';

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 20, default: 10 })
  @Integer({ min: 1, max: 20 }, 'query')
  limit = 10;
}

export class SearchParamsDto {
  @ApiProperty({
    description: 'Words must all match; "quoted phrase", a OR b, -excluded. Synonyms of framework names apply.',
    example: 'encryption overdue',
    maxLength: MAX_QUERY_LENGTH,
  })
  @Required()
  @IsString()
  @MaxLength(MAX_QUERY_LENGTH)
  q: string;

  @ApiPropertyOptional({ enum: SEARCH_INDEXES, default: 'compliance' })
  @IsIn(SEARCH_INDEXES)
  index: SearchIndexName = 'compliance';

  @ApiPropertyOptional({
    example: 'SOC2',
    maxLength: MAX_FILTER_LENGTH,
    description: 'compliance and controls indices',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_FILTER_LENGTH)
  framework?: string;

  @ApiPropertyOptional({ example: 'failed', maxLength: MAX_FILTER_LENGTH, description: 'compliance and users indices' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_FILTER_LENGTH)
  status?: string;

  @ApiPropertyOptional({ example: 'entity-001', maxLength: MAX_FILTER_LENGTH, description: 'compliance index' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_FILTER_LENGTH)
  entityId?: string;

  @ApiPropertyOptional({ example: 'record.updated', maxLength: MAX_FILTER_LENGTH, description: 'audit index' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_FILTER_LENGTH)
  action?: string;

  @ApiPropertyOptional({ example: 'analyst', maxLength: MAX_FILTER_LENGTH, description: 'audit index' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_FILTER_LENGTH)
  actorRole?: string;

  @ApiPropertyOptional({ example: 'compliance_record', maxLength: MAX_FILTER_LENGTH, description: 'audit index' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_FILTER_LENGTH)
  targetType?: string;

  @ApiPropertyOptional({ example: 'auditor', maxLength: MAX_FILTER_LENGTH, description: 'users index' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_FILTER_LENGTH)
  role?: string;

  @ApiPropertyOptional({
    example: 'ac',
    maxLength: MAX_FILTER_LENGTH,
    description: "controls index: the control's group in its catalog (the family, e.g. ac)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_FILTER_LENGTH)
  group?: string;

  @ApiPropertyOptional({
    type: String,
    description: `Comma-separated keyword fields to count: ${ALL_KEYWORD_FIELDS.join(', ')}`,
    example: 'framework,status',
  })
  @Transform(commaSeparated)
  @IsIn(ALL_KEYWORD_FIELDS, { each: true })
  facets: string[] = [];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 1 })
  @Integer({ min: 1, max: 100 }, 'query')
  page = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @Integer({ min: 1, max: 100 }, 'query')
  pageSize = 20;

  /** The keyword filters that were given. */
  filterValues(): Record<string, string> {
    const values: Record<string, string> = {};
    for (const field of ALL_KEYWORD_FIELDS) {
      const value = (this as unknown as Record<string, unknown>)[field];
      if (typeof value === 'string') values[field] = value;
    }
    return values;
  }
}
