import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.js';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { ControlRefPipe, FrameworkCodePipe } from './catalog-path.pipes.js';
import { CATALOGS_ROUTE } from './catalogs.routes.js';
import { CentralityService } from './centrality.service.js';
import { controlNotFound } from './control-graph.service.js';
import { ControlImpactService } from './control-impact.service.js';
import { CoverageService } from './coverage.service.js';
import { CentralityQuery } from './dto/centrality.query.js';
import { CentralityResponse } from './dto/centrality.response.js';
import { ControlImpactQuery } from './dto/control-impact.query.js';
import { ControlImpactResponse } from './dto/control-impact.response.js';
import { CoverageQuery, EVIDENCE_LIMIT } from './dto/coverage.query.js';
import { CoverageResponse } from './dto/coverage.response.js';

/**
 * Queries over the whole mapping graph: coverage of a catalog by an entity's records, the impact
 * of a failed control, the most central controls. `GET /catalogs/centrality` is a static route, so
 * Fastify prefers it to the catalog export at `GET /catalogs/:framework` whatever the order.
 */
@ApiTags('catalogs')
@Controller(CATALOGS_ROUTE)
export class ControlGraphController {
  constructor(
    private readonly coverage: CoverageService,
    private readonly impacts: ControlImpactService,
    private readonly centrality: CentralityService,
  ) {}

  @Get('centrality')
  @ApiOperation({
    operationId: 'controlCentrality',
    summary: 'Controls ranked by how many requirements across frameworks they are mapped to',
    description:
      'Degree (distinct controls mapped to, OLIR relationships, either direction), the other frameworks one ' +
      'edge away, and a PageRank score over the undirected OLIR graph, computed in Postgres whenever the ' +
      'graph changes (`computedAt`).',
  })
  @ApiOkResponse({ type: CentralityResponse })
  @ApiProblem(404, 'The framework asked for has no control catalog', 'catalog-not-found')
  ranking(@Query() query: CentralityQuery): Promise<CentralityResponse> {
    return this.centrality.ranking(query);
  }

  @Get(':framework/coverage')
  @Roles('analyst', 'auditor')
  @ApiOperation({
    operationId: 'catalogCoverage',
    summary: "Which controls of a framework an entity's records cover, directly or through mappings",
    description:
      "Covered: the entity's latest record on the control passed, or on a control from which a path of " +
      'equivalent and superset-of edges (as read toward this control) reaches it. Partial: the best path has ' +
      'subset-of or intersects-with edges. `related` edges never count. A failed latest record on the control ' +
      `itself makes it not covered. Each control lists at most ${EVIDENCE_LIMIT} records, nearest first, each with its path.`,
  })
  @ApiParam({ name: 'framework', example: 'SOC2', description: 'The target framework (with a catalog), any case' })
  @ApiOkResponse({ type: CoverageResponse })
  @ApiProblem(
    404,
    'The framework has no catalog, or its catalog not the control asked for',
    'catalog-not-found',
    'control-not-found',
  )
  coverageOf(
    @Param('framework', new FrameworkCodePipe()) framework: string,
    @Query() query: CoverageQuery,
  ): Promise<CoverageResponse> {
    return this.coverage.coverageOf(framework, query);
  }

  @Get(':framework/controls/:control/impact')
  @Roles('analyst', 'auditor')
  @ApiOperation({
    operationId: 'controlImpact',
    summary: 'What a failed control puts in question: the controls mapped to it and the entities assessed on them',
    description:
      'Every control reachable in at most `depth` OLIR edges (either direction, never `related`), by framework, ' +
      'each with its path, and the entities with a record on the start control or one reached.',
  })
  @ApiParam({ name: 'framework', example: 'ISO27001', description: 'A framework code, in any case' })
  @ApiParam({ name: 'control', example: 'a-8-24', description: 'OSCAL id or label of the failed control' })
  @ApiOkResponse({ type: ControlImpactResponse })
  @ApiProblem(404, 'The framework has no catalog, or its catalog no such control', 'control-not-found')
  impact(
    @Param('framework', new FrameworkCodePipe(controlNotFound)) framework: string,
    @Param('control', new ControlRefPipe()) control: string,
    @Query() query: ControlImpactQuery,
  ): Promise<ControlImpactResponse> {
    return this.impacts.impact(framework, control, query);
  }
}
