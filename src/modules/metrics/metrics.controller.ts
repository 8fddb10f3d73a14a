import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { Public } from '../../common/auth/roles.js';
import type { FastifyReply } from 'fastify';

/**
 * Prometheus scrape endpoint. Kept out of the OpenAPI document on purpose: its body is Prometheus'
 * text exposition format, read by scrapers rather than REST clients, and a generated client has no
 * use for a method returning it. docs/operations.md lists the metrics.
 */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  override index(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    return super.index(response);
  }
}
