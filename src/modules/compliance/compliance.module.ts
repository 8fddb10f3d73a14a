import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { AppConfig } from '../../config/app-config.js';
import { RedisConnection } from '../../infrastructure/redis/redis.connection.js';
import { FieldCipher } from '../encryption/field-cipher.js';
import { AnalyticsController } from './analytics/analytics.controller.js';
import { AnalyticsRepository } from './analytics/analytics.repository.js';
import { AnalyticsService } from './analytics/analytics.service.js';
import { AssessmentResultsController } from './assessment-results/assessment-results.controller.js';
import { AssessmentResultsRepository } from './assessment-results/assessment-results.repository.js';
import { AssessmentResultsService } from './assessment-results/assessment-results.service.js';
import { ComplianceEventsRecorder } from './analytics/compliance-events.consumer.js';
import { ComplianceEventsRepository } from './analytics/compliance-events.repository.js';
import { EventPartitions } from './analytics/jobs/event-partitions.js';
import { EventsRetentionIndicator } from './analytics/jobs/events-retention.indicator.js';
import { TIMESCALE_JOB_METRIC_PROVIDERS } from './analytics/jobs/timescale-job.metrics.js';
import { EVENTS_LAYOUT_PROVIDERS } from './analytics/layout/events-layout.providers.js';
import { CachedRecordReader, RECORD_CACHE_METRIC } from './records/cache/cached-record-reader.js';
import { LruRecordCache } from './records/cache/lru-record-cache.js';
import { RECORD_CACHE, RecordCache } from './records/cache/record-cache.js';
import { RecordCacheInvalidator } from './records/cache/record-cache.consumer.js';
import { RedisRecordCache } from './records/cache/redis-record-cache.js';
import { SealedRecordCache } from './records/cache/sealed-record-cache.js';
import { ComplianceRecordsController } from './records/compliance-records.controller.js';
import { ComplianceRecordsRepository } from './records/compliance-records.repository.js';
import { ComplianceRecordsService } from './records/compliance-records.service.js';
import { FrameworksController } from './records/frameworks.controller.js';
import { ComplianceFramework } from './records/entities/compliance-framework.entity.js';
import { ComplianceRecord } from './records/entities/compliance-record.entity.js';
import { RecordControlTitlesIndexer } from './records/search/record-control-titles.consumer.js';
import { RecordSearchDocuments } from './records/search/record-search-document.js';
import { RecordSearchIndexer } from './records/search/record-search.consumer.js';
import { RecordSearchSource } from './records/search/record-search.source.js';
import { SearchModule } from '../search/search.module.js';
import { CatalogsModule } from '../catalogs/catalogs.module.js';

/** Redis when configured, the in-process LRU otherwise; chosen once, at boot; notes always sealed. */
function recordCacheFor(config: AppConfig, redis: RedisConnection, cipher: FieldCipher): RecordCache {
  const { cacheTtlSeconds, cacheLruMaxEntries } = config.compliance;
  const store = redis.client
    ? new RedisRecordCache(redis.client, cacheTtlSeconds, config.queuePrefix)
    : new LruRecordCache(cacheLruMaxEntries, cacheTtlSeconds);
  return new SealedRecordCache(store, cipher);
}

/** Compliance records (CRUD, bulk, cache) and their time-series analytics. */
@Module({
  imports: [
    TypeOrmModule.forFeature([ComplianceRecord, ComplianceFramework]),
    TerminusModule,
    SearchModule,
    CatalogsModule,
  ],
  controllers: [ComplianceRecordsController, FrameworksController, AnalyticsController, AssessmentResultsController],
  providers: [
    ComplianceRecordsRepository,
    ComplianceRecordsService,
    CachedRecordReader,
    RecordCacheInvalidator,
    RecordSearchDocuments,
    RecordSearchIndexer,
    RecordSearchSource,
    RecordControlTitlesIndexer,
    { provide: RECORD_CACHE, inject: [AppConfig, RedisConnection, FieldCipher], useFactory: recordCacheFor },
    makeCounterProvider({
      name: RECORD_CACHE_METRIC,
      help: 'Compliance record cache lookups by result (hit, miss, error)',
      labelNames: ['result'],
    }),
    ...TIMESCALE_JOB_METRIC_PROVIDERS,
    ...EVENTS_LAYOUT_PROVIDERS,
    EventsRetentionIndicator,
    ComplianceEventsRepository,
    ComplianceEventsRecorder,
    EventPartitions,
    AnalyticsRepository,
    AnalyticsService,
    AssessmentResultsRepository,
    AssessmentResultsService,
  ],
  exports: [ComplianceRecordsService, AnalyticsService, EventPartitions, EventsRetentionIndicator],
})
export class ComplianceModule {}
