import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMinSize, IsIn } from 'class-validator';
import { commaSeparated, Integer } from '../../../common/validation-rules.js';
import { OLIR_RELATIONSHIPS } from './import-mappings.body.js';

/** What a walk may follow: the OLIR types as read from the walking side, and a catalog's own `related` links. */
export const WALK_RELATIONSHIPS = [...OLIR_RELATIONSHIPS, 'related'] as const;
export type WalkRelationship = (typeof WALK_RELATIONSHIPS)[number];
export const MAX_RELATED_DEPTH = 4;
export const MAX_RELATED_LIMIT = 2_000;

export class RelatedControlsQuery {
  @ApiPropertyOptional({
    type: String,
    example: 'equivalent,subset-of',
    description:
      `Comma-separated relationships to follow, as read from the control being walked from: ` +
      `${WALK_RELATIONSHIPS.join(', ')}. Default: all of them.`,
  })
  @Transform(commaSeparated)
  @ArrayMinSize(1)
  @IsIn(WALK_RELATIONSHIPS, { each: true })
  relationships: WalkRelationship[] = [...WALK_RELATIONSHIPS];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_RELATED_DEPTH, default: 2 })
  @Integer({ min: 1, max: MAX_RELATED_DEPTH }, 'query')
  depth = 2;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_RELATED_LIMIT,
    default: 200,
    description: 'At most this many controls, the nearest first; `total` says how many were reachable',
  })
  @Integer({ min: 1, max: MAX_RELATED_LIMIT }, 'query')
  limit = 200;
}
