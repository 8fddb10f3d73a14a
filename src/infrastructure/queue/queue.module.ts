import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Tracing } from '../tracing/tracing.js';
import { RedisClients } from '../redis/redis-clients.js';
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
      inject: [AppConfig, RedisClients, Tracing],
      useFactory: (config: AppConfig, redis: RedisClients, tracing: Tracing) =>
        redis.enabled
          ? new BullJobQueue(redis, config.queuePrefix, tracing, config.http.shutdownGraceMs)
          : new InProcessJobQueue(tracing),
    },
    queueDepthGauge,
    QueueDepthMetric,
  ],
  exports: [JOB_QUEUE],
})
export class QueueModule {}
