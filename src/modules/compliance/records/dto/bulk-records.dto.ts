import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { MAX_BULK_RECORDS } from '../compliance-records.routes.js';
import { CreateRecordDto } from './create-record.dto.js';

export class BulkRecordsDto {
  @ApiProperty({ type: [CreateRecordDto], maxItems: MAX_BULK_RECORDS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_RECORDS)
  @ValidateNested({ each: true })
  @Type(() => CreateRecordDto)
  records: CreateRecordDto[];
}

export class BulkRecordsResponse {
  @ApiProperty({ example: 10000 })
  created: number;

  @ApiProperty({ type: [String], example: ['6f1c2d9e-1b7a-4a43-9a55-0d7c3c1f0e21'], description: 'Ids in input order' })
  ids: string[];
}
