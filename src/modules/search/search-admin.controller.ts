import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import type { FastifyReply } from 'fastify';
import { Roles } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import { uuidParam } from '../../common/uuid-param.js';
import { ReindexParamsDto, ReindexRunDto } from './dto/reindex.dto.js';
import { SearchReindexer } from './jobs/search-reindex.job.js';

@ApiTags('search')
@Roles('admin')
@Controller('admin/search/reindex')
export class SearchAdminController {
  constructor(private readonly reindexer: SearchReindexer) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'startReindex',
    summary: 'Rebuild one search index',
    description: 'From Postgres, in the background; follow Location for progress. Takes no body.',
  })
  @ApiAcceptedResponse({
    type: ReindexRunDto,
    description: 'Started',
    headers: { Location: { description: 'The run, for progress', schema: { type: 'string' } } },
  })
  @ApiProblem(
    409,
    'A reindex of that index is running, or no module provides its documents',
    'search-reindex-running',
    'search-source-missing',
  )
  async start(
    @Query() params: ReindexParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReindexRunDto> {
    const run = await this.reindexer.start(params.index);
    void reply.header('Location', `/admin/search/reindex/${run.id}`);
    return ReindexRunDto.from(run);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getReindexRun', summary: 'Progress of a reindex run', description: 'Runs are kept.' })
  @ApiOkResponse({ type: ReindexRunDto })
  @ApiProblem(404, 'No such reindex run', 'search-reindex-run-not-found')
  async progress(
    @Param('id', uuidParam('No such reindex run.', 'search-reindex-run-not-found')) id: string,
  ): Promise<ReindexRunDto> {
    const run = await this.reindexer.find(id);
    if (!run) throw new ProblemException(404, 'search-reindex-run-not-found', 'No such reindex run.');
    return ReindexRunDto.from(run);
  }
}
