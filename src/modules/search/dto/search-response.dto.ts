import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

export class SearchHitDto {
  @ApiProperty({ example: 'b3f1c2a4-0d9e-4e1b-9a8f-2c5d7e6f8a90' })
  id: string;

  @ApiProperty({ example: 3.41, description: 'Relevance; comparable only within one response' })
  score: number;

  @ApiPropertyOptional({ example: 'CC6.1' })
  code?: string;

  @ApiProperty({ example: 'SOC2 CC6.1 Logical access security software and infrastructure' })
  title: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { framework: 'SOC2', status: 'failed', entityId: 'entity-001' },
  })
  keywords: Record<string, string>;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T00:00:00.000Z' })
  occurredAt: string;

  @ApiProperty({ example: ['Encryption key rotation <mark>overdue</mark> for the CRM.'], type: [String] })
  highlights: string[];
}

export class FacetCountDto {
  @ApiProperty({ example: 'SOC2' })
  value: string;

  @ApiProperty({ type: 'integer', example: 42 })
  count: number;
}

@ApiExtraModels(FacetCountDto)
export class SearchResponseDto {
  @ApiProperty({ enum: ['postgres', 'elasticsearch'], description: 'Also sent as X-Search-Engine' })
  engine: 'postgres' | 'elasticsearch';

  @ApiProperty({ type: 'integer', example: 128 })
  total: number;

  @ApiProperty({ enum: ['eq', 'gte'], description: '`gte`: counting stopped, there are at least `total` matches' })
  totalRelation: 'eq' | 'gte';

  @ApiProperty({ type: 'integer', example: 1 })
  page: number;

  @ApiProperty({ type: 'integer', example: 20 })
  pageSize: number;

  @ApiProperty({ example: 4.2 })
  tookMs: number;

  @ApiProperty({ type: [SearchHitDto] })
  hits: SearchHitDto[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { $ref: getSchemaPath(FacetCountDto) } },
    example: { framework: [{ value: 'SOC2', count: 42 }] },
  })
  facets: Record<string, FacetCountDto[]>;
}

export class SuggestionDto {
  @ApiProperty({ example: 'CC6.1' })
  text: string;

  @ApiProperty({ enum: ['control', 'entity'] })
  kind: 'control' | 'entity';
}

export class SuggestResponseDto {
  @ApiProperty({ type: [SuggestionDto] })
  suggestions: SuggestionDto[];
}
