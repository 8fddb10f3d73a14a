import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { AuditClock } from './audit-clock.js';
import { AuditDataKeys } from './audit-data-keys.js';
import { AuditController } from './audit.controller.js';
import { AuditInterceptor } from './audit.interceptor.js';
import { auditAppendedCounter, auditVerificationsCounter } from './audit-metrics.js';
import { AuditGuards } from './audit-guards.js';
import { AuditPartitions } from './audit-partitions.js';
import { AuditReader } from './audit-reader.js';
import { AuditRepository } from './audit.repository.js';
import { AuditScope } from './audit-scope.js';
import { AuditSealer } from './audit-sealer.js';
import { AuditSecurityEventSink } from './audit-security-event.sink.js';
import { AuditService } from './audit.service.js';
import { AuditVerifier } from './audit-verifier.js';
import { AuditChain } from './chain/audit-chain.js';
import { AuditGroupCommit } from './chain/audit-group-commit.js';
import { AuditCheckpoints } from './checkpoints/audit-checkpoints.js';
import { CHECKPOINT_ANCHOR, createCheckpointAnchor } from './checkpoints/checkpoint-anchor.js';
import { CheckpointAgeMetric, checkpointTimestampGauge } from './checkpoints/checkpoint-age.metric.js';
import { CheckpointCadence } from './checkpoints/checkpoint-cadence.js';
import { CheckpointChainVerifier } from './checkpoints/checkpoint-chain-verifier.js';
import { CHECKPOINT_KEY, loadCheckpointKey } from './checkpoints/checkpoint-key.js';
import { AuditJobs } from './jobs/audit-jobs.js';
import { AuditRetention } from './jobs/audit-retention.js';
import { AuditSearchIndexer } from './search/audit-search.consumer.js';
import { AuditSearchSource } from './search/audit-search.source.js';
import { SearchModule } from '../search/search.module.js';
import { DataSource } from 'typeorm';

/**
 * The audit trail. Global so every feature can inject `AuditService` and `AuditScope`; it is also
 * the sink behind `SECURITY_EVENTS` (which SecuritySignalsModule provides, observing it), and feeds
 * the `audit` search index.
 */
@Global()
@Module({
  imports: [SearchModule],
  controllers: [AuditController],
  providers: [
    AuditClock,
    AuditChain,
    AuditGroupCommit,
    AuditScope,
    AuditService,
    AuditRepository,
    AuditReader,
    AuditSealer,
    AuditDataKeys,
    AuditVerifier,
    AuditCheckpoints,
    CheckpointCadence,
    CheckpointChainVerifier,
    AuditGuards,
    AuditPartitions,
    AuditRetention,
    AuditJobs,
    auditAppendedCounter,
    auditVerificationsCounter,
    checkpointTimestampGauge,
    CheckpointAgeMetric,
    AuditSearchIndexer,
    AuditSearchSource,
    { provide: CHECKPOINT_KEY, inject: [AppConfig], useFactory: loadCheckpointKey },
    { provide: CHECKPOINT_ANCHOR, inject: [AppConfig, DataSource], useFactory: createCheckpointAnchor },
    AuditSecurityEventSink,
    AuditInterceptor,
  ],
  exports: [AuditService, AuditScope, AuditSecurityEventSink, AuditReader],
})
export class AuditModule {}
