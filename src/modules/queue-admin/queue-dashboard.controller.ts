import { Body, Controller, Get, HttpCode, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles, SessionOnly } from '../../common/auth/roles.js';
import type { BoardAnswer } from '../../infrastructure/queue/dashboard/bull-board.js';
import { QUEUE_ADMIN_PATH } from './queue-admin.routes.js';
import { QueueDashboardService } from './queue-dashboard.service.js';

/** Not a DTO: bull-board validates its own queries and bodies, and the ValidationPipe leaves a plain object alone. */
type QueryParams = Record<string, unknown>;

const BASE = `/${QUEUE_ADMIN_PATH}/`;

/** The request's path below the dashboard, still %-encoded (`api/queues/outbox.drain/42/retry`). */
const pathBelow = (request: FastifyRequest) => request.url.split('?')[0].slice(BASE.length);

/** Served to a browser: never framed, cached, sniffed, or named in a Referer. */
function browserHeaders(reply: FastifyReply, contentType: string, cacheControl = 'no-store'): void {
  void reply.headers({
    'content-type': contentType,
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': "frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
  });
}

/** Errors were thrown as problems by now. A success is 200: Nest sets the route's status, and bull-board's one other, 204, carries `{}` anyway. */
function answer(reply: FastifyReply, { body }: BoardAnswer): unknown {
  browserHeaders(reply, 'application/json; charset=utf-8');
  return body;
}

/**
 * bull-board's page, UI files and API, under Bull only (docs/operations.md#job-queues). Every path
 * is an admin-session route like any other: the global guard answers 401/403 before anything here
 * runs, and the writes are audited. Left out of the OpenAPI document: it is bull-board's own API.
 */
@ApiExcludeController()
@Controller(QUEUE_ADMIN_PATH)
@Roles('admin')
@SessionOnly()
export class QueueDashboardController {
  constructor(private readonly dashboard: QueueDashboardService) {}

  @Get()
  home(@Res({ passthrough: true }) reply: FastifyReply): string {
    const page = this.dashboard.page();
    browserHeaders(reply, 'text/html; charset=utf-8');
    return page;
  }

  @Get('static/*')
  asset(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const { contentType, body } = this.dashboard.asset(pathBelow(request).slice('static/'.length));
    browserHeaders(reply, contentType, 'private, max-age=3600');
    return body;
  }

  @Get('api/*')
  async read(
    @Req() request: FastifyRequest,
    @Query() query: QueryParams,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return answer(reply, await this.dashboard.read(pathBelow(request), query));
  }

  @Put('api/*')
  @HttpCode(200)
  put(
    @Req() request: FastifyRequest,
    @Query() query: QueryParams,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.change(request, query, body, reply);
  }

  @Patch('api/*')
  patch(
    @Req() request: FastifyRequest,
    @Query() query: QueryParams,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.change(request, query, body, reply);
  }

  @Post('api/*')
  @HttpCode(200)
  post(
    @Req() request: FastifyRequest,
    @Query() query: QueryParams,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.change(request, query, body, reply);
  }

  /** The UI's own routes (`queue/<name>`, …): the browser asks for them on a reload. */
  @Get('*')
  page(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): string {
    const page = this.dashboard.page(pathBelow(request));
    browserHeaders(reply, 'text/html; charset=utf-8');
    return page;
  }

  private async change(
    request: FastifyRequest,
    query: QueryParams,
    body: unknown,
    reply: FastifyReply,
  ): Promise<unknown> {
    return answer(reply, await this.dashboard.change(request.method, pathBelow(request), query, body));
  }
}
