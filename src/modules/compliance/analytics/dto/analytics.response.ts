import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AnalyticsBucket {
  @ApiProperty({ format: 'date-time', example: '2026-11-01T00:00:00.000Z' })
  bucket: string;

  @ApiPropertyOptional({ example: 'passed', description: 'Only with groupBy=status' })
  status?: string;

  @ApiProperty({ type: 'integer', example: 120 })
  count: number;

  @ApiProperty({ example: 0.8125, nullable: true, type: Number, description: 'passed / (count - not_applicable)' })
  passRate: number | null;

  @ApiProperty({ example: 81.37 })
  averageScore: number;
}

export class AnalyticsResponse {
  @ApiProperty({
    enum: ['rollup', 'raw'],
    description:
      'rollup when a pre-aggregated table covers the range (whole hours, or whole days for the daily TimescaleDB aggregate), raw events otherwise',
  })
  source: 'rollup' | 'raw';

  @ApiProperty({ type: [AnalyticsBucket] })
  buckets: AnalyticsBucket[];
}

export class FrameworkSummary {
  @ApiProperty({ example: 'GDPR' })
  framework: string;

  @ApiProperty({ type: 'integer', example: 1520, description: 'Records (not deleted)' })
  records: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { passed: 1200, failed: 120, warning: 100, not_applicable: 50, pending: 50 },
  })
  byStatus: Record<string, number>;

  @ApiProperty({ example: 0.82, nullable: true, type: Number })
  passRate: number | null;

  @ApiProperty({ example: 84.1, nullable: true, type: Number })
  averageScore: number | null;

  @ApiProperty({ type: 'integer', example: 310, description: 'Assessment events in the last 7 days' })
  eventsLast7Days: number;
}

export class AnalyticsSummary {
  @ApiProperty({ format: 'date-time', example: '2026-11-24T12:00:00.000Z' })
  generatedAt: string;

  @ApiProperty({ type: [FrameworkSummary] })
  frameworks: FrameworkSummary[];
}
