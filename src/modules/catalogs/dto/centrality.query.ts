import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';
import { Integer, upperCase } from '../../../common/validation-rules.js';
import { FRAMEWORK_CODE, FRAMEWORK_FILTER_MESSAGE } from '../../compliance/records/dto/record-rules.js';

export const MAX_CENTRALITY_LIMIT = 500;

export class CentralityQuery {
  @ApiPropertyOptional({
    example: 'ISO27001',
    description: "Rank only this framework's controls (scores stay those of the whole graph); any case",
  })
  @IsOptional()
  @Transform(upperCase)
  @Matches(FRAMEWORK_CODE, { message: FRAMEWORK_FILTER_MESSAGE })
  framework?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_CENTRALITY_LIMIT, default: 50 })
  @Integer({ min: 1, max: MAX_CENTRALITY_LIMIT }, 'query')
  limit = 50;
}
