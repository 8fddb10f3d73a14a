import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../common/auth/roles.js';
import { ApiProblem } from '../../../common/openapi/api-problem.decorator.js';
import { AssessmentResultsService, MAX_EXPORTED_RECORDS } from './assessment-results.service.js';
import { AssessmentResultsQuery } from './dto/assessment-results.query.js';
import type { OscalAssessmentResults } from './oscal-assessment-results.js';

const OSCAL_AR_SCHEMA =
  'https://github.com/usnistgov/OSCAL/releases/download/v1.0.6/oscal_assessment-results_schema.json';

@ApiTags('compliance records')
@Controller('compliance/assessment-results')
export class AssessmentResultsController {
  constructor(private readonly results: AssessmentResultsService) {}

  @Get()
  @Roles('analyst', 'auditor')
  @ApiOperation({
    operationId: 'exportAssessmentResults',
    summary: "A framework's records as an OSCAL assessment-results document",
    description:
      `An OSCAL 1.0.6 assessment-results document (${OSCAL_AR_SCHEMA}): one result, an observation per ` +
      'record (never its evidence notes or details), a finding per control decided by the latest record of ' +
      `each entity. At most ${MAX_EXPORTED_RECORDS.toLocaleString('en')} records; above that a 400 asks to narrow ` +
      'the export.',
  })
  @ApiOkResponse({
    description: 'The OSCAL assessment-results document',
    schema: {
      type: 'object',
      required: ['assessment-results'],
      properties: {
        'assessment-results': {
          type: 'object',
          additionalProperties: true,
          description: 'uuid, metadata, import-ap, results',
        },
      },
    },
  })
  @ApiProblem(404, 'No framework with this code', 'not-found')
  export(@Query() query: AssessmentResultsQuery): Promise<OscalAssessmentResults> {
    return this.results.export(query);
  }
}
