import { ApiProperty } from '@nestjs/swagger';
import { WALK_RELATIONSHIPS } from './related-controls.query.js';

export class ControlKey {
  @ApiProperty({ example: 'NIST-800-53-LOW' })
  framework: string;

  @ApiProperty({ example: 'ac-2', description: 'OSCAL id' })
  control: string;
}

export class ControlSummary extends ControlKey {
  @ApiProperty({ example: 'Account Management' })
  title: string;
}

export class MappingStep {
  @ApiProperty({ type: ControlKey, description: 'The control this step walks from' })
  from: ControlKey;

  @ApiProperty({ type: ControlKey, description: 'The control this step reaches' })
  to: ControlKey;

  @ApiProperty({
    enum: WALK_RELATIONSHIPS,
    example: 'superset-of',
    description: '`from` is … of `to`: the stored relationship, inverted when the edge is walked in reverse',
  })
  relationship: string;

  @ApiProperty({
    enum: ['forward', 'reverse'],
    description: 'forward: the mapping was stored from → to; reverse: it was stored to → from',
  })
  direction: 'forward' | 'reverse';

  @ApiProperty({ example: 'compliance-kit-demo-2026', description: 'Who asserted the mapping' })
  source: string;
}

export class RelatedControl extends ControlSummary {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 4, example: 1, description: 'Edges from the start (shortest)' })
  depth: number;

  @ApiProperty({ type: [MappingStep], description: 'The edges from the start control to this one, in order' })
  path: MappingStep[];
}

export class RelatedControlsResponse {
  @ApiProperty({ type: ControlSummary })
  control: ControlSummary;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 4, example: 2 })
  depth: number;

  @ApiProperty({ enum: WALK_RELATIONSHIPS, isArray: true })
  relationships: string[];

  @ApiProperty({ type: 'integer', minimum: 1, example: 200 })
  limit: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 12, description: 'Controls reachable within `depth`' })
  total: number;

  @ApiProperty({ description: 'Whether `related` stops at `limit` before `total`' })
  truncated: boolean;

  @ApiProperty({
    type: [RelatedControl],
    description: 'By depth, then framework and control id; each control once; at most `limit`',
  })
  related: RelatedControl[];
}
