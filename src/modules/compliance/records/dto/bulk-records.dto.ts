import { ApiProperty } from '@nestjs/swagger';
import { MAX_BULK_RECORDS } from '../compliance-records.routes.js';
import { CreateRecordDto } from './create-record.dto.js';

/** The bulk body as OpenAPI shows it; `BulkRecordsPipe` checks the envelope and `BulkRecords` each record (by `CreateRecordDto`'s rules). */
export class BulkRecordsDto {
  @ApiProperty({ type: [CreateRecordDto], minItems: 1, maxItems: MAX_BULK_RECORDS })
  records: CreateRecordDto[];
}

export class BulkRecordsResponse {
  @ApiProperty({ type: 'integer', example: 1 })
  created: number;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    example: ['6f1c2d9e-1b7a-4a43-9a55-0d7c3c1f0e21'],
    description: 'Ids in input order',
  })
  ids: string[];
}
