import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ProblemException, ValidationProblem } from '../../../common/problem.js';
import { CatalogsService } from '../../catalogs/catalogs.service.js';
import { AssessmentResultsRepository } from './assessment-results.repository.js';
import type { AssessmentResultsQuery } from './dto/assessment-results.query.js';
import {
  buildOscalAssessmentResults,
  type CatalogControl,
  OSCAL_DATE_RANGE,
  type OscalAssessmentResults,
} from './oscal-assessment-results.js';

/** Records per export: about 5 MB of JSON. Above it the caller narrows the export instead of getting part of it. */
export const MAX_EXPORTED_RECORDS = 10_000;
const MAX_SHOWN = MAX_EXPORTED_RECORDS.toLocaleString('en');

/** OSCAL assessment-results documents built from the compliance records. */
@Injectable()
export class AssessmentResultsService {
  constructor(
    private readonly results: AssessmentResultsRepository,
    private readonly catalogs: CatalogsService,
  ) {}

  async export(query: AssessmentResultsQuery): Promise<OscalAssessmentResults> {
    const { framework, entityId, assessedFrom, assessedTo } = query;
    if (assessedFrom && assessedTo && assessedFrom >= assessedTo) {
      throw new ValidationProblem([{ field: 'assessedTo', messages: ['assessedTo must be after assessedFrom'] }]);
    }
    const frameworkName = await this.results.frameworkName(framework);
    if (frameworkName === undefined) {
      throw new ProblemException(
        404,
        'not-found',
        'No framework with this code (GET /compliance/frameworks lists them).',
      );
    }
    const records = await this.results.records(
      {
        framework,
        entityId,
        from: latest(assessedFrom, OSCAL_DATE_RANGE.from),
        to: earliest(assessedTo, OSCAL_DATE_RANGE.to),
      },
      MAX_EXPORTED_RECORDS + 1,
    );
    if (records.length > MAX_EXPORTED_RECORDS) {
      throw new ValidationProblem(
        [
          {
            field: 'query',
            messages: [
              `more than ${MAX_SHOWN} records match; narrow the export with entityId, assessedFrom or assessedTo`,
            ],
          },
        ],
        `More than ${MAX_SHOWN} records match this export.`,
      );
    }
    const resolved = await this.catalogs.resolveControls(
      records.map((record) => ({ framework, controlId: record.controlId })),
    );
    const controls = new Map<string, CatalogControl>();
    for (const resolution of resolved.values()) {
      if (resolution.control) controls.set(resolution.controlId, resolution.control);
    }
    return buildOscalAssessmentResults({
      framework,
      frameworkName,
      entityId,
      assessedFrom,
      assessedTo,
      records,
      controls,
      catalog: [...resolved.values()].some((resolution) => resolution.catalog),
      documentUuid: randomUUID(),
      generatedAt: new Date(),
    });
  }
}

const latest = (date: Date | undefined, bound: Date) => (date && date > bound ? date : bound);
const earliest = (date: Date | undefined, bound: Date) => (date && date < bound ? date : bound);
