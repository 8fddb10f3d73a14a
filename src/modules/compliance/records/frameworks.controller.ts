import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ComplianceRecordsService } from './compliance-records.service.js';
import { FrameworkView } from './dto/framework.response.js';

@ApiTags('compliance records')
@Controller('compliance/frameworks')
export class FrameworksController {
  constructor(private readonly records: ComplianceRecordsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listFrameworks',
    summary: 'The framework codes records may use',
    description: 'In code order. A new framework is a row in the frameworks table, not a release.',
  })
  @ApiOkResponse({ type: [FrameworkView] })
  list(): Promise<FrameworkView[]> {
    return this.records.frameworks();
  }
}
