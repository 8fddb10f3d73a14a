import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RECORD_STATUSES } from '../../compliance/records/record-status.js';
import { OLIR_RELATIONSHIPS } from './import-mappings.body.js';
import { COVERAGE_LEVELS, EVIDENCE_LIMIT, MAX_COVERAGE_LIMIT } from './coverage.query.js';
import { MappingStep } from './related-controls.response.js';

const COUNT = { type: 'integer', minimum: 0, maximum: 2_147_483_647 } as const;

export class EvidenceRecord {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ISO27001' })
  framework: string;

  @ApiProperty({ example: 'a-8-24', description: 'OSCAL id of the control the record names (by id or label)' })
  control: string;

  @ApiProperty({ enum: RECORD_STATUSES, example: 'passed' })
  status: string;

  @ApiProperty({ format: 'date-time' })
  assessedAt: string;
}

export class CoverageEvidence {
  @ApiProperty({ type: EvidenceRecord })
  record: EvidenceRecord;

  @ApiProperty({
    type: [MappingStep],
    description:
      "From the record's control to this one, each edge as read toward this control; empty: the record is on it",
  })
  path: MappingStep[];

  @ApiProperty({
    enum: OLIR_RELATIONSHIPS,
    example: 'superset-of',
    description:
      "What the path says, the record's control being … of this one: equivalent (every edge equivalent, or no edge), " +
      'superset-of (equivalent and superset-of edges: covers), subset-of (equivalent and subset-of edges), ' +
      'intersects-with (anything else: partly)',
  })
  relationship: string;
}

export class ControlCoverage {
  @ApiProperty({ example: 'cc6-1', description: 'OSCAL id' })
  control: string;

  @ApiProperty({ type: String, nullable: true, example: 'CC6.1' })
  label: string | null;

  @ApiProperty({ example: 'Logical access security' })
  title: string;

  @ApiProperty({ enum: COVERAGE_LEVELS })
  coverage: string;

  @ApiProperty({
    type: [CoverageEvidence],
    maxItems: EVIDENCE_LIMIT,
    description: `The records that give this coverage, nearest first, at most ${EVIDENCE_LIMIT}; none when not covered`,
  })
  evidence: CoverageEvidence[];

  @ApiProperty({ description: 'More records give this coverage than `evidence` lists' })
  moreEvidence: boolean;

  @ApiPropertyOptional({
    example: 'no passed record on this control or on any control mapped to it within depth 2',
    description: 'Why it is not covered (only for not-covered controls)',
  })
  reason?: string;
}

export class CoverageSummary {
  @ApiProperty({ ...COUNT, example: 61, description: 'Controls answered for (the catalog, or the one asked)' })
  controls: number;

  @ApiProperty({ ...COUNT, example: 40 })
  covered: number;

  @ApiProperty({ ...COUNT, example: 12 })
  partial: number;

  @ApiProperty({ ...COUNT, example: 9 })
  notCovered: number;
}

export class CoverageResponse {
  @ApiProperty({ example: 'SOC2', description: 'The target framework' })
  framework: string;

  @ApiProperty({ example: 'org-4711' })
  entityId: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 4, example: 2 })
  depth: number;

  @ApiProperty({
    type: CoverageSummary,
    description: 'Counts over every control answered for, whatever `status` lists',
  })
  summary: CoverageSummary;

  @ApiProperty({ ...COUNT, example: 21, description: 'Controls with the coverage `status` asks for (all by default)' })
  total: number;

  @ApiProperty({ ...COUNT, example: 0 })
  offset: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_COVERAGE_LIMIT, example: MAX_COVERAGE_LIMIT })
  limit: number;

  @ApiProperty({ type: [ControlCoverage], description: 'In catalog order, from `offset`, at most `limit`' })
  controls: ControlCoverage[];
}
