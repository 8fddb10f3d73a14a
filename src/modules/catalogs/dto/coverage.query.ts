import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMinSize, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { commaSeparated, Integer, Required } from '../../../common/validation-rules.js';
import { CONTROL_ID_LENGTH, ENTITY_ID_LENGTH } from '../../compliance/records/dto/record-rules.js';
import { MAX_RELATED_DEPTH } from './related-controls.query.js';

export const COVERAGE_LEVELS = ['covered', 'partial', 'not-covered'] as const;
export type CoverageLevel = (typeof COVERAGE_LEVELS)[number];
/** Evidence items listed per control; the search finds one more, to tell whether more exist. */
export const EVIDENCE_LIMIT = 5;
/** Controls per answer: every real catalog fits in one (NIST SP 800-53 has about 1,200 with enhancements). */
export const MAX_COVERAGE_LIMIT = 2_000;

export class CoverageQuery {
  @ApiProperty({
    minLength: ENTITY_ID_LENGTH.min,
    maxLength: ENTITY_ID_LENGTH.max,
    example: 'org-4711',
    description: "The entity whose records count (a record's `entityId`)",
  })
  @Required()
  @IsString()
  @Length(ENTITY_ID_LENGTH.min, ENTITY_ID_LENGTH.max)
  entityId: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_RELATED_DEPTH, default: 2 })
  @Integer({ min: 1, max: MAX_RELATED_DEPTH }, 'query')
  depth = 2;

  @ApiPropertyOptional({
    type: String,
    example: 'partial,not-covered',
    description: `Comma-separated: list only controls with this coverage (${COVERAGE_LEVELS.join(', ')}). The summary counts all.`,
  })
  @IsOptional()
  @Transform(commaSeparated)
  @ArrayMinSize(1)
  @IsIn(COVERAGE_LEVELS, { each: true })
  status?: CoverageLevel[];

  @ApiPropertyOptional({
    minLength: CONTROL_ID_LENGTH.min,
    maxLength: CONTROL_ID_LENGTH.max,
    example: 'CC6.1',
    description: 'Only this control of the catalog (OSCAL id or label)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,64}$/, {
    message: 'control must be an OSCAL id or label (printable ASCII, 1-64 characters)',
  })
  control?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_COVERAGE_LIMIT,
    default: MAX_COVERAGE_LIMIT,
    description: 'At most this many controls, in catalog order; `total` says how many are listed in all',
  })
  @Integer({ min: 1, max: MAX_COVERAGE_LIMIT }, 'query')
  limit = MAX_COVERAGE_LIMIT;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, description: 'Controls to skip (paging)' })
  @Integer({ min: 0, max: 2_147_483_647 }, 'query')
  offset = 0;
}
