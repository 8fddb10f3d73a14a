import { ApiProperty } from '@nestjs/swagger';

const COUNT = { type: 'integer', minimum: 0, maximum: 2_147_483_647 } as const;

export class MappingImportResponse {
  @ApiProperty({ example: 'compliance-kit-demo-2026' })
  source: string;

  @ApiProperty({ ...COUNT, example: 12, description: 'Distinct mappings in the file (a repeated item counts once)' })
  mappings: number;

  @ApiProperty({ ...COUNT, example: 12, description: 'Mappings new to this source' })
  inserted: number;

  @ApiProperty({ ...COUNT, example: 0, description: 'Mappings whose strength or rationale changed' })
  updated: number;

  @ApiProperty({ ...COUNT, example: 0, description: 'Mappings already stored as given' })
  unchanged: number;
}
