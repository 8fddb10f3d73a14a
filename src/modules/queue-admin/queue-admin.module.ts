import { Module } from '@nestjs/common';
import { BullJobQueue } from '../../infrastructure/queue/bull-job-queue.js';
import { BullBoard } from '../../infrastructure/queue/dashboard/bull-board.js';
import { JOB_QUEUE, type JobQueue } from '../../infrastructure/queue/job-queue.js';
import { QUEUE_ADMIN_PATH } from './queue-admin.routes.js';
import { QueueDashboardController } from './queue-dashboard.controller.js';
import { BULL_BOARD, QueueDashboardService } from './queue-dashboard.service.js';
import { QueueSummaryController } from './queue-summary.controller.js';
import { QueueSummaryService } from './queue-summary.service.js';

/**
 * The admins' view of the job queues: a JSON summary in both runners, and under Bull the
 * bull-board dashboard, chosen at boot with the runner. (Fastify matches `summary` before the
 * dashboard's wildcard routes, whatever their order.)
 */
@Module({
  controllers: [QueueSummaryController, QueueDashboardController],
  providers: [
    {
      provide: BULL_BOARD,
      inject: [JOB_QUEUE],
      useFactory: (queue: JobQueue) =>
        queue instanceof BullJobQueue
          ? new BullBoard(queue, `/${QUEUE_ADMIN_PATH}`, { boardTitle: 'Compliance Kit queues', hideDocsLink: true })
          : null,
    },
    QueueDashboardService,
    QueueSummaryService,
  ],
})
export class QueueAdminModule {}
