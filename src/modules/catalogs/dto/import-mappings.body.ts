import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Integer, Required, upperCase } from '../../../common/validation-rules.js';
import { FRAMEWORK_CODE, FRAMEWORK_CODE_MESSAGE } from '../../compliance/records/dto/record-rules.js';

/** NIST OLIR's relationship vocabulary; `related` is kept for a catalog's own links. */
export const OLIR_RELATIONSHIPS = ['equivalent', 'subset-of', 'superset-of', 'intersects-with'] as const;
export type OlirRelationship = (typeof OLIR_RELATIONSHIPS)[number];
export const MAX_MAPPINGS_PER_IMPORT = 10_000;
const MAX_RATIONALE_LENGTH = 2_000;

export class MappingEndDto {
  @ApiProperty({ example: 'GDPR', pattern: FRAMEWORK_CODE.source, description: 'A framework with a catalog, any case' })
  @Required()
  @Transform(upperCase)
  @IsString()
  @Matches(FRAMEWORK_CODE, { message: FRAMEWORK_CODE_MESSAGE })
  framework: string;

  @ApiProperty({ example: 'art-32', minLength: 1, maxLength: 64, description: 'OSCAL id or label of the control' })
  @Required()
  @IsString()
  @Length(1, 64)
  control: string;
}

export class MappingItemDto {
  @ApiProperty({ type: MappingEndDto })
  @Required()
  @IsObject()
  @ValidateNested()
  @Type(() => MappingEndDto)
  from: MappingEndDto;

  @ApiProperty({ type: MappingEndDto })
  @Required()
  @IsObject()
  @ValidateNested()
  @Type(() => MappingEndDto)
  to: MappingEndDto;

  @ApiProperty({ enum: OLIR_RELATIONSHIPS, example: 'subset-of', description: '`from` is … of `to`' })
  @Required()
  @IsIn(OLIR_RELATIONSHIPS)
  relationship: OlirRelationship;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 10, example: 8, description: 'OLIR strength, 0–10' })
  @IsOptional()
  @Integer({ min: 0, max: 10 })
  strength?: number;

  @ApiPropertyOptional({ maxLength: MAX_RATIONALE_LENGTH, example: 'Both require encryption of data at rest.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_RATIONALE_LENGTH)
  rationale?: string;
}

export class ImportMappingsBody {
  @ApiProperty({
    example: 'compliance-kit-demo-2026',
    minLength: 1,
    maxLength: 200,
    description: 'Who asserts these mappings; a re-import from the same source updates instead of duplicating',
  })
  @Required()
  @IsString()
  @Length(1, 200)
  source: string;

  @ApiProperty({ type: [MappingItemDto], minItems: 1, maxItems: MAX_MAPPINGS_PER_IMPORT })
  @Required()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_MAPPINGS_PER_IMPORT)
  @ValidateNested({ each: true })
  @Type(() => MappingItemDto)
  mappings: MappingItemDto[];
}
