import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { BullJobQueue } from './bull-job-queue.js';
import { InProcessJobQueue } from './in-process-job-queue.js';
import { JOB_QUEUE } from './job-queue.js';
import { QueueDepthMetric, queueDepthGauge } from './queue-depth.metric.js';

/** Chooses the job runner once, at boot: Bull when Redis is configured, in-process otherwise. */
@Global()
@Module({
  providers: [
    {
      provide: JOB_QUEUE,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        config.redisUrl ? new BullJobQueue(config.redisUrl, config.queuePrefix) : new InProcessJobQueue(),
    },
    queueDepthGauge,
    QueueDepthMetric,
  ],
  exports: [JOB_QUEUE],
})
export class QueueModule {}
