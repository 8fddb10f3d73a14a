import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, SessionOnly } from '../../common/auth/roles.js';
import { ApiProblem } from '../../common/openapi/api-problem.decorator.js';
import { QueueSummaryView } from './dto/queue-summary.dto.js';
import { QUEUE_ADMIN_PATH } from './queue-admin.routes.js';
import { QueueSummaryService } from './queue-summary.service.js';

/** Admin sessions only, like the dashboard beside it (docs/operations.md#job-queues). */
@ApiTags('queues')
@Controller(QUEUE_ADMIN_PATH)
@Roles('admin')
@SessionOnly()
export class QueueSummaryController {
  constructor(private readonly summaries: QueueSummaryService) {}

  @Get('summary')
  @ApiOperation({
    operationId: 'getQueueSummary',
    summary: "This replica's job queues: counts and recent failures",
    description:
      'Read-only, in both runners: Bull on Redis (where `/admin/queues` also serves the bull-board ' +
      'dashboard) and the in-process runner (where this is the only view; its counts start at boot). ' +
      'Failures carry the job id, attempts, time and error message, never job data.',
  })
  @ApiOkResponse({ type: QueueSummaryView })
  @ApiProblem(
    503,
    'Redis did not answer in time, the database is unreachable, or the instance is shutting down',
    'dependency-unavailable',
    'draining',
  )
  summary(): Promise<QueueSummaryView> {
    return this.summaries.summary();
  }
}
