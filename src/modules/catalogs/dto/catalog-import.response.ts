import { ApiProperty } from '@nestjs/swagger';

const COUNT = { type: 'integer', minimum: 0, maximum: 2_147_483_647 } as const;

export class CatalogImportResponse {
  @ApiProperty({ example: 'NIST-800-53-MODERATE' })
  framework: string;

  @ApiProperty({ description: 'The framework row was created by this import' })
  frameworkCreated: boolean;

  @ApiProperty({ description: 'The framework had no catalog before this import' })
  catalogCreated: boolean;

  @ApiProperty({ ...COUNT, example: 287, description: 'Controls in the catalog, enhancements included' })
  controls: number;

  @ApiProperty({ ...COUNT, example: 0, description: 'Controls new to the catalog' })
  inserted: number;

  @ApiProperty({ ...COUNT, example: 3, description: 'Controls whose text, place or OSCAL members changed' })
  updated: number;

  @ApiProperty({ ...COUNT, example: 284, description: 'Controls already stored as imported' })
  unchanged: number;

  @ApiProperty({ ...COUNT, example: 0, description: 'Controls the catalog no longer has, deleted with their edges' })
  removed: number;

  @ApiProperty({ ...COUNT, example: 20, description: 'Groups (families)' })
  groups: number;

  @ApiProperty({
    ...COUNT,
    example: 1450,
    description: "`related` edges from the controls' links (links to controls outside the catalog are left out)",
  })
  relatedMappings: number;
}
