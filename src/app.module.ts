import { DynamicModule, Module } from '@nestjs/common';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { LoggingModule } from './common/logging.module.js';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './infrastructure/database/database.module.js';
import { QueueModule } from './infrastructure/queue/queue.module.js';
import { OutboxModule } from './infrastructure/outbox/outbox.module.js';
import { RedisModule } from './infrastructure/redis/redis.module.js';
import { SearchInfrastructureModule } from './infrastructure/search/search-infrastructure.module.js';
import { TracingModule } from './infrastructure/tracing/tracing.module.js';
import { ApiKeysModule } from './modules/api-keys/api-keys.module.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { CatalogsModule } from './modules/catalogs/catalogs.module.js';
import { EncryptionModule } from './modules/encryption/encryption.module.js';
import { ComplianceModule } from './modules/compliance/compliance.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { SessionsModule } from './modules/sessions/sessions.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { SubjectsModule } from './modules/subjects/subjects.module.js';
import { QueueAdminModule } from './modules/queue-admin/queue-admin.module.js';
import { SearchModule } from './modules/search/search.module.js';
import { SiemModule } from './modules/siem/siem.module.js';
import { SecuritySignalsModule } from './modules/security-signals/security-signals.module.js';

@Module({})
export class AppModule {
  /** `environment` defaults to process.env; tests pass their own, and a span exporter to read spans from. */
  static forRoot(environment?: Record<string, unknown>, spanExporter?: SpanExporter): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(environment),
        TracingModule.forRoot(spanExporter),
        LoggingModule,
        MetricsModule,
        DatabaseModule,
        RedisModule,
        QueueModule,
        SearchInfrastructureModule,
        HealthModule,
        AuditModule,
        SecuritySignalsModule,
        EncryptionModule,
        UsersModule,
        ApiKeysModule,
        SessionsModule,
        SubjectsModule,
        OutboxModule,
        CatalogsModule,
        ComplianceModule,
        SearchModule,
        SiemModule,
        QueueAdminModule,
      ],
    };
  }
}
