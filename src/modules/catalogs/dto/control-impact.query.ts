import { ApiPropertyOptional } from '@nestjs/swagger';
import { Integer } from '../../../common/validation-rules.js';
import { MAX_RELATED_DEPTH } from './related-controls.query.js';

export const MAX_IMPACT_ENTITIES = 1_000;
/** Reached controls listed with their path; the counts cover every control reached. */
export const IMPACT_CONTROL_LIMIT = 2_000;

export class ControlImpactQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_RELATED_DEPTH, default: 2 })
  @Integer({ min: 1, max: MAX_RELATED_DEPTH }, 'query')
  depth = 2;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_IMPACT_ENTITIES,
    default: 100,
    description: 'At most this many affected entities, by entity id; `entityCount` says how many there are',
  })
  @Integer({ min: 1, max: MAX_IMPACT_ENTITIES }, 'query')
  limit = 100;
}
