import { Injectable } from '@nestjs/common';
import { catalogNotFound } from './catalogs.service.js';
import { controlNotFound } from './control-graph.service.js';
import { CoverageRepository, type CoverageEvidenceRow, type CoverageRow } from './coverage.repository.js';
import { COVERAGE_LEVELS, EVIDENCE_LIMIT, type CoverageQuery } from './dto/coverage.query.js';
import type { ControlCoverage, CoverageEvidence, CoverageResponse } from './dto/coverage.response.js';
import type { MappingStep } from './dto/related-controls.response.js';

/** What a target framework's controls get from an entity's records, directly or through mappings. */
@Injectable()
export class CoverageService {
  constructor(private readonly coverage: CoverageRepository) {}

  async coverageOf(framework: string, query: CoverageQuery): Promise<CoverageResponse> {
    const target = await this.coverage.target(framework, query.control ?? null);
    if (!target.catalog) throw catalogNotFound();
    if (query.control !== undefined && target.control === null) throw controlNotFound();
    const rows = await this.coverage.coverage({
      entityId: query.entityId,
      framework,
      control: target.control,
      depth: query.depth,
      walk: target.control === null ? 'forward' : 'backward',
      // One more than listed, to know whether more exist.
      perControl: EVIDENCE_LIMIT + 1,
      listed: query.status ?? [...COVERAGE_LEVELS],
      offset: query.offset,
      limit: query.limit,
    });
    const [counts] = rows;
    const covered = Number(counts.covered);
    const partial = Number(counts.partial);
    const notCovered = Number(counts.not_covered);
    return {
      framework,
      entityId: query.entityId,
      depth: query.depth,
      summary: { controls: covered + partial + notCovered, covered, partial, notCovered },
      total: Number(counts.listed),
      offset: query.offset,
      limit: query.limit,
      controls: rows.filter((row) => row.control_id !== null).map((row) => controlCoverage(row, query.depth)),
    };
  }
}

/**
 * The entity's own latest record on a control outranks what mappings infer: a failed one makes
 * the control not covered whatever passed records elsewhere say.
 */
function controlCoverage(row: CoverageRow, depth: number): ControlCoverage {
  const base = { control: row.control_id as string, label: row.label, title: row.title, coverage: row.coverage };
  if (row.coverage !== 'not-covered') {
    const found = row.evidence ?? [];
    return {
      ...base,
      evidence: found.slice(0, EVIDENCE_LIMIT).map(evidence),
      moreEvidence: found.length > EVIDENCE_LIMIT,
    };
  }
  const reason =
    row.failed === null
      ? `no passed record on this control or on any control mapped to it within depth ${depth}`
      : row.outweighed
        ? `failed record ${row.failed} on this control; it outweighs the passed records on controls mapped to it`
        : `failed record ${row.failed} on this control`;
  return { ...base, evidence: [], moreEvidence: false, reason };
}

const evidence = (row: CoverageEvidenceRow): CoverageEvidence => ({ ...row, relationship: pathReading(row.path) });

/**
 * What a path says of its first control toward its last: equivalent edges change nothing, edges
 * of one direction (superset-of, or subset-of) compose, and any other mixture is only an overlap.
 */
export function pathReading(path: MappingStep[]): string {
  const readings = new Set(path.map((step) => step.relationship).filter((reading) => reading !== 'equivalent'));
  if (readings.size === 0) return 'equivalent';
  const [only] = readings;
  return readings.size === 1 && (only === 'superset-of' || only === 'subset-of') ? only : 'intersects-with';
}
