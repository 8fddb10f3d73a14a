import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class ImportMappingsQuery {
  @ApiPropertyOptional({
    example: 'compliance-kit-demo-2026',
    minLength: 1,
    maxLength: 200,
    description:
      'Who asserts the mappings of a `text/csv` body (required there: CSV has no envelope). A JSON body ' +
      'names its source in the body and takes no query parameter.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  source?: string;
}
