import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsInt, IsOptional, Min } from 'class-validator';
import { CreateRecordDto } from './create-record.dto.js';

export class UpdateRecordDto extends PartialType(CreateRecordDto) {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    example: 3,
    description: 'Expected current version; alternative to the If-Match header',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}
