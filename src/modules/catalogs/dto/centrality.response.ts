import { ApiProperty } from '@nestjs/swagger';

const COUNT = { type: 'integer', minimum: 0, maximum: 2_147_483_647 } as const;

export class CentralControl {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: 'Place in this answer' })
  rank: number;

  @ApiProperty({ example: 'ISO27001' })
  framework: string;

  @ApiProperty({ example: 'a-8-24', description: 'OSCAL id' })
  control: string;

  @ApiProperty({ type: String, nullable: true, example: 'A.8.24' })
  label: string | null;

  @ApiProperty({ example: 'Use of cryptography' })
  title: string;

  @ApiProperty({
    ...COUNT,
    example: 14,
    description: 'Distinct controls it is mapped to (OLIR types, either direction)',
  })
  degree: number;

  @ApiProperty({
    type: [String],
    example: ['GDPR', 'SOC2'],
    description: 'The other frameworks whose controls it is mapped to in one edge',
  })
  frameworks: string[];

  @ApiProperty({
    type: 'number',
    minimum: 0,
    maximum: 1,
    example: 0.0123,
    description: 'PageRank over the OLIR edges as an undirected graph (damping 0.85, 20 iterations); scores sum to 1',
  })
  score: number;
}

export class CentralityResponse {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the scores were computed; null: not yet (no catalog imported, or the first run is pending)',
  })
  computedAt: string | null;

  @ApiProperty({
    example: false,
    description: 'A change to the graph has not been scored yet: a recomputation is queued or running',
  })
  pending: boolean;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'The framework asked for, if any' })
  framework: string | null;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 500, example: 50 })
  limit: number;

  @ApiProperty({ type: [CentralControl], description: 'By score, then degree, framework and control id' })
  controls: CentralControl[];
}
