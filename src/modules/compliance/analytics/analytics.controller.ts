import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../common/auth/roles.js';
import { AnalyticsService } from './analytics.service.js';
import { AnalyticsQuery } from './dto/analytics.query.js';
import { AnalyticsResponse, AnalyticsSummary } from './dto/analytics.response.js';

@ApiTags('compliance analytics')
@ApiBearerAuth()
@Controller('compliance/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get()
  @Roles('analyst', 'auditor')
  @ApiOperation({ summary: 'Pass rate, average score and counts per time bucket' })
  @ApiOkResponse({ type: AnalyticsResponse })
  buckets(@Query() query: AnalyticsQuery): Promise<AnalyticsResponse> {
    return this.analytics.buckets(query);
  }

  @Get('summary')
  @Roles('analyst', 'auditor')
  @ApiOperation({ summary: 'Dashboard: current records per framework and status, events of the last 7 days' })
  @ApiOkResponse({ type: AnalyticsSummary })
  summary(): Promise<AnalyticsSummary> {
    return this.analytics.summary();
  }
}
