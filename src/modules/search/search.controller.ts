import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import type { FastifyReply } from 'fastify';
import { CurrentUser } from '../../common/auth/current-user.js';
import { type AuthenticatedUser, Roles } from '../../common/auth/roles.js';
import { CurrentRequest, type RequestMeta } from '../../common/request-meta.js';
import { SearchParamsDto, SuggestParamsDto } from './dto/search-params.dto.js';
import { SearchResponseDto, SuggestResponseDto } from './dto/search-response.dto.js';
import { SearchService } from './search.service.js';

export const SEARCH_ENGINE_HEADER = 'X-Search-Engine';

@ApiTags('search')
@Roles('auditor', 'analyst')
@Controller('search')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  @ApiOperation({
    operationId: 'search',
    summary: 'Full-text search',
    description:
      'Over one index (compliance records, catalog controls, users, audit events) with keyword filters, facets and ' +
      'highlights; Elasticsearch when configured and up, Postgres full text otherwise. The audit ' +
      'index is for auditors (and admins) only.',
  })
  @ApiOkResponse({
    type: SearchResponseDto,
    headers: { [SEARCH_ENGINE_HEADER]: { description: 'The engine that answered', schema: { type: 'string' } } },
  })
  @ApiProblem(403, 'Your role may not call this route or search this index', 'forbidden')
  async find(
    @Query() params: SearchParamsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentRequest() request: RequestMeta,
    @CurrentUser() user?: AuthenticatedUser,
  ): Promise<SearchResponseDto> {
    const result = await this.search.search(params, { user, request });
    void reply.header(SEARCH_ENGINE_HEADER, result.engine);
    return {
      engine: result.engine,
      total: result.total,
      totalRelation: result.totalRelation,
      page: params.page,
      pageSize: params.pageSize,
      tookMs: result.tookMs,
      hits: result.hits,
      facets: result.facets,
    };
  }

  @Get('suggest')
  @ApiOperation({
    operationId: 'suggest',
    summary: 'Autocomplete',
    description: 'Control ids and entity ids starting with (or close to) q.',
  })
  @ApiOkResponse({ type: SuggestResponseDto })
  @ApiProblem(403, 'Your role may not call this route or search this index', 'forbidden')
  async suggest(
    @Query() params: SuggestParamsDto,
    @CurrentRequest() request: RequestMeta,
    @CurrentUser() user?: AuthenticatedUser,
  ): Promise<SuggestResponseDto> {
    return { suggestions: await this.search.suggest(params, { user, request }) };
  }
}
