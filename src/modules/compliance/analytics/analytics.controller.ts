import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../common/auth/roles.js';
import { AnalyticsService } from './analytics.service.js';
import { AnalyticsQuery } from './dto/analytics.query.js';
import { AnalyticsResponse, AnalyticsSummary } from './dto/analytics.response.js';

@ApiTags('compliance analytics')
@Controller('compliance/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get()
  @Roles('analyst', 'auditor')
  @ApiOperation({
    operationId: 'getAnalytics',
    summary: 'Pass rate, average score and counts per time bucket',
    description: 'Over assessment events in [from, to), at most 400 days; from rollups when they cover the range.',
  })
  @ApiOkResponse({ type: AnalyticsResponse })
  buckets(@Query() query: AnalyticsQuery): Promise<AnalyticsResponse> {
    return this.analytics.buckets(query);
  }

  @Get('summary')
  @Roles('analyst', 'auditor')
  @ApiOperation({
    operationId: 'getAnalyticsSummary',
    summary: 'Dashboard figures',
    description: 'Current records per framework and status, and assessment events of the last 7 days.',
  })
  @ApiOkResponse({ type: AnalyticsSummary })
  summary(): Promise<AnalyticsSummary> {
    return this.analytics.summary();
  }
}
