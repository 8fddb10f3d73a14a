import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { AppConfig } from '../../config/app-config.js';
import { DatabaseLocator } from './database-locator.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { MIGRATION_CIPHER } from './migration-cipher.js';
import { openAtHead, SCHEMA_POLICY } from './migrations-at-head.js';
import { observedClient } from './observed-client.js';
import { POOL_CLIENTS_METRIC, PoolMonitor } from './pool-monitor.js';
import { QUERY_DURATION_METRIC, QueryObserver } from './query-observer.js';
import { QUERY_OPERATIONS } from './sql-statement.js';
import { ReadYourWritesInterceptor, WriteMarks } from './read-your-writes.js';
import { REPLICA_LAG_METRIC, REPLICA_UP_METRIC, ReplicaRouter, ROUTED_READS_METRIC } from './replica-router.js';
import { ServiceInstanceRegistry } from './service-instance.registry.js';
import { TransactionContext } from './transaction-context.js';
import { TransactionInterceptor } from './transaction.interceptor.js';

@Global()
@Module({
  providers: [DatabaseLocator],
  exports: [DatabaseLocator],
})
class DatabaseLocatorModule {}

/** Apart from DatabaseModule, like the locator, because the DataSource factory needs the observer. */
@Global()
@Module({
  providers: [
    QueryObserver,
    makeHistogramProvider({
      name: QUERY_DURATION_METRIC,
      help: `Database statement duration by repository class and operation (${QUERY_OPERATIONS.join(', ')})`,
      labelNames: ['repository', 'operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    }),
  ],
  exports: [QueryObserver],
})
class QueryObservationModule {}

@Global()
@Module({
  imports: [
    DatabaseLocatorModule,
    QueryObservationModule,
    TypeOrmModule.forRootAsync({
      // The cipher first: migrations that backfill encrypted columns need the keyring.
      inject: [AppConfig, DatabaseLocator, QueryObserver, MIGRATION_CIPHER],
      useFactory: async (config: AppConfig, locator: DatabaseLocator, observer: QueryObserver) => ({
        ...buildDataSourceOptions(config.database, await locator.url(), observedClient(observer)),
        // openAtHead runs (or awaits) them under the migration lock; TypeORM's own run takes none.
        migrationsRun: false,
        [SCHEMA_POLICY]: { migrationsRun: config.database.migrationsRun, waitMs: config.database.migrationsWaitMs },
        autoLoadEntities: true,
        retryAttempts: 0,
        // Never retried: without this Nest's TypeORM logs the failure's stack before the boot reports it.
        toRetry: () => false,
      }),
      dataSourceFactory: (options) => openAtHead(options!),
    }),
  ],
  providers: [
    PoolMonitor,
    ServiceInstanceRegistry,
    TransactionContext,
    WriteMarks,
    ReplicaRouter,
    ReadYourWritesInterceptor,
    TransactionInterceptor,
    makeGaugeProvider({
      name: REPLICA_LAG_METRIC,
      help: 'Replay lag of each read replica when last measured, in seconds',
      labelNames: ['replica'],
    }),
    makeGaugeProvider({
      name: REPLICA_UP_METRIC,
      help: '1 while a read replica answers as a standby, 0 while it is down or promoted',
      labelNames: ['replica'],
    }),
    makeCounterProvider({
      name: ROUTED_READS_METRIC,
      help: 'Lag-tolerant reads by where they ran: a replica (host:port) or the primary',
      labelNames: ['target'],
    }),
    makeGaugeProvider({
      name: POOL_CLIENTS_METRIC,
      help: 'PostgreSQL pool clients by state (total, idle, waiting, max)',
      labelNames: ['state'],
    }),
  ],
  exports: [PoolMonitor, ServiceInstanceRegistry, TransactionContext, ReplicaRouter],
})
export class DatabaseModule {}
