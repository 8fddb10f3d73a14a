import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { upperCase } from '../../../common/validation-rules.js';
import { FRAMEWORK_CODE, FRAMEWORK_CODE_MESSAGE } from '../../compliance/records/dto/record-rules.js';

export class ImportCatalogQuery {
  @ApiProperty({
    example: 'NIST-800-53-MODERATE',
    pattern: FRAMEWORK_CODE.source,
    description:
      'The framework the catalog belongs to, in any case (stored upper case). Created, named after the ' +
      "catalog's title, when GET /compliance/frameworks does not list it yet.",
  })
  @Transform(upperCase)
  @IsString()
  @Matches(FRAMEWORK_CODE, { message: FRAMEWORK_CODE_MESSAGE })
  framework: string;
}
