import { ApiProperty } from '@nestjs/swagger';
import { EvidenceRecord } from './coverage.response.js';
import { IMPACT_CONTROL_LIMIT } from './control-impact.query.js';
import { ControlSummary, RelatedControl } from './related-controls.response.js';

const COUNT = { type: 'integer', minimum: 0, maximum: 2_147_483_647 } as const;

export class ImpactedFramework {
  @ApiProperty({ example: 'SOC2' })
  framework: string;

  @ApiProperty({ ...COUNT, example: 3, description: 'Controls of this framework reached' })
  controlCount: number;

  @ApiProperty({ ...COUNT, example: 12, description: 'Entities with a record on one of them' })
  entityCount: number;

  @ApiProperty({ type: [RelatedControl], description: 'The controls reached, nearest first, each with its path' })
  controls: RelatedControl[];
}

export class AffectedEntity {
  @ApiProperty({ example: 'org-4711' })
  entityId: string;

  @ApiProperty({
    type: [EvidenceRecord],
    description: "The entity's latest record on the start control and on each control reached that it has one on",
  })
  records: EvidenceRecord[];
}

export class ControlImpactResponse {
  @ApiProperty({ type: ControlSummary, description: 'The start (failed) control' })
  control: ControlSummary;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 4, example: 2 })
  depth: number;

  @ApiProperty({ ...COUNT, example: 7, description: 'Controls reached (the start not included)' })
  controlCount: number;

  @ApiProperty({
    description: `Whether the frameworks list fewer controls than were reached (at most ${IMPACT_CONTROL_LIMIT}, the nearest)`,
  })
  truncated: boolean;

  @ApiProperty({ type: [ImpactedFramework], description: 'By framework code; counts over every control reached' })
  frameworks: ImpactedFramework[];

  @ApiProperty({
    ...COUNT,
    example: 40,
    description: 'Entities with a record on the start control or a control reached',
  })
  entityCount: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1000, example: 100 })
  limit: number;

  @ApiProperty({ type: [AffectedEntity], description: 'By entity id, at most `limit`' })
  entities: AffectedEntity[];
}
