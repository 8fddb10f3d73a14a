import { ApiProperty, type ApiPropertyOptions, ApiPropertyOptional } from '@nestjs/swagger';

const INDICATORS: ApiPropertyOptions = {
  type: 'object',
  description: 'Indicator name → its state (`status`: up, degraded or down, and details)',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', example: 'up' } },
    required: ['status'],
    additionalProperties: true,
  },
};

/** Terminus' result, as the probes answer it. */
export class HealthReportDto {
  @ApiProperty({
    enum: ['ok', 'degraded', 'error', 'shutting_down'],
    example: 'ok',
    description: '`degraded`: an optional dependency (Redis, Elasticsearch) is down and its feature runs on Postgres',
  })
  status: string;

  @ApiPropertyOptional({ ...INDICATORS, example: { postgres: { status: 'up' } } })
  info?: Record<string, unknown>;

  @ApiPropertyOptional({ ...INDICATORS, example: {} })
  error?: Record<string, unknown>;

  @ApiProperty({ ...INDICATORS, example: { postgres: { status: 'up' }, redis: { status: 'up', mode: 'redis' } } })
  details: Record<string, unknown>;
}
