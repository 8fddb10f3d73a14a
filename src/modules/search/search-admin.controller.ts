import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import { ReindexParamsDto, ReindexRunDto, ReindexRunParamsDto } from './dto/reindex.dto.js';
import { SearchReindexer } from './jobs/search-reindex.job.js';

@ApiTags('search')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/search/reindex')
export class SearchAdminController {
  constructor(private readonly reindexer: SearchReindexer) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Rebuild one index from Postgres in the background' })
  @ApiAcceptedResponse({ type: ReindexRunDto, description: 'Location points at the run for progress' })
  async start(
    @Query() params: ReindexParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReindexRunDto> {
    const run = await this.reindexer.start(params.index);
    void reply.header('Location', `/admin/search/reindex/${run.id}`);
    return ReindexRunDto.from(run);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Progress of a reindex run' })
  @ApiOkResponse({ type: ReindexRunDto })
  async progress(@Param() params: ReindexRunParamsDto): Promise<ReindexRunDto> {
    const run = await this.reindexer.find(params.id);
    if (!run) throw new ProblemException(404, 'search-reindex-run-not-found', 'No such reindex run.');
    return ReindexRunDto.from(run);
  }
}
