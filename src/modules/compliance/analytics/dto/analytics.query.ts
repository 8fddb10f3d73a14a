import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { DateTime, Required, upperCase } from '../../../../common/validation-rules.js';
import { FRAMEWORK_CODE, FRAMEWORK_FILTER_MESSAGE } from '../../records/dto/record-rules.js';

export const BUCKETS = ['1h', '1d'] as const;
export type Bucket = (typeof BUCKETS)[number];

export class AnalyticsQuery {
  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'Inclusive' })
  @Required()
  @DateTime()
  from: Date;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-08T00:00:00Z', description: 'Exclusive' })
  @Required()
  @DateTime()
  to: Date;

  @ApiPropertyOptional({ enum: BUCKETS, default: '1d' })
  @IsOptional()
  @IsIn(BUCKETS)
  bucket: Bucket = '1d';

  @ApiPropertyOptional({ example: 'GDPR', description: 'A framework code, in any case' })
  @IsOptional()
  @Transform(upperCase)
  @Matches(FRAMEWORK_CODE, { message: FRAMEWORK_FILTER_MESSAGE })
  framework?: string;

  @ApiPropertyOptional({ enum: ['status'] })
  @IsOptional()
  @IsIn(['status'])
  groupBy?: 'status';
}
