import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, Matches } from 'class-validator';

export const BUCKETS = ['1h', '1d'] as const;
export type Bucket = (typeof BUCKETS)[number];

export class AnalyticsQuery {
  @ApiProperty({ example: '2026-11-01T00:00:00Z' })
  @Type(() => Date)
  @IsDate()
  from: Date;

  @ApiProperty({ example: '2026-11-08T00:00:00Z', description: 'Exclusive' })
  @Type(() => Date)
  @IsDate()
  to: Date;

  @ApiPropertyOptional({ enum: BUCKETS, default: '1d' })
  @IsOptional()
  @IsIn(BUCKETS)
  bucket: Bucket = '1d';

  @ApiPropertyOptional({ example: 'GDPR' })
  @IsOptional()
  @Matches(/^[A-Z0-9][A-Z0-9-]{0,31}$/)
  framework?: string;

  @ApiPropertyOptional({ enum: ['status'] })
  @IsOptional()
  @IsIn(['status'])
  groupBy?: 'status';
}
