import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule } from '../../infrastructure/database/database.module.js';
import { ComplianceModule } from '../compliance/compliance.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { SubjectsModule } from '../subjects/subjects.module.js';
import { OutboxModule } from '../../infrastructure/outbox/outbox.module.js';
import { DrainSignal } from './drain-signal.js';
import { HealthController } from './health.controller.js';
import { ElasticsearchHealthIndicator } from './indicators/elasticsearch.indicator.js';
import { EventLoopHealthIndicator } from './indicators/event-loop.indicator.js';
import { PostgresHealthIndicator } from './indicators/postgres.indicator.js';
import { RedisHealthIndicator } from './indicators/redis.indicator.js';

@Module({
  imports: [
    TerminusModule.forRoot({ logger: false }),
    DatabaseModule,
    SessionsModule,
    OutboxModule,
    ComplianceModule,
    SubjectsModule,
  ],
  controllers: [HealthController],
  providers: [
    DrainSignal,
    EventLoopHealthIndicator,
    PostgresHealthIndicator,
    RedisHealthIndicator,
    ElasticsearchHealthIndicator,
  ],
  exports: [DrainSignal],
})
export class HealthModule {}
