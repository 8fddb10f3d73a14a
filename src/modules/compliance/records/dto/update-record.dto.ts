import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { INT4 } from '../../../../common/scalars.js';
import { Integer, notNullFields } from '../../../../common/validation-rules.js';
import { CreateRecordDto } from './create-record.dto.js';

const VERSION_RANGE = { min: 1, max: INT4.max } as const;

export class UpdateRecordDto extends PartialType(CreateRecordDto) {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: VERSION_RANGE.min,
    maximum: VERSION_RANGE.max,
    example: 3,
    description: 'Expected current version; alternative to the If-Match header',
  })
  @IsOptional()
  @Integer(VERSION_RANGE)
  version?: number;
}

// Every column but the evidence notes is NOT NULL: `null` is refused, not sent to the database.
notNullFields(UpdateRecordDto, ['entityId', 'framework', 'controlId', 'status', 'score', 'details', 'assessedAt']);
