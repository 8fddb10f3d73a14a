import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { AppConfig } from '../../config/app-config.js';
import { FieldCipher } from '../../modules/encryption/field-cipher.js';
import { DatabaseLocator } from './database-locator.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { openAtHead, SCHEMA_POLICY } from './migrations-at-head.js';
import { POOL_CLIENTS_METRIC, PoolMonitor } from './pool-monitor.js';
import { ServiceInstanceRegistry } from './service-instance.registry.js';
import { TransactionContext } from './transaction-context.js';
import { TransactionInterceptor } from './transaction.interceptor.js';
import { APP_INTERCEPTOR } from '@nestjs/core';

@Global()
@Module({
  providers: [DatabaseLocator],
  exports: [DatabaseLocator],
})
class DatabaseLocatorModule {}

@Global()
@Module({
  imports: [
    DatabaseLocatorModule,
    TypeOrmModule.forRootAsync({
      // FieldCipher first: migrations that backfill encrypted columns need the keyring.
      inject: [AppConfig, DatabaseLocator, FieldCipher],
      useFactory: async (config: AppConfig, locator: DatabaseLocator) => ({
        ...buildDataSourceOptions(config.database, await locator.url()),
        // openAtHead runs (or awaits) them under the migration lock; TypeORM's own run takes none.
        migrationsRun: false,
        [SCHEMA_POLICY]: { migrationsRun: config.database.migrationsRun, waitMs: config.database.migrationsWaitMs },
        autoLoadEntities: true,
        retryAttempts: 0,
      }),
      dataSourceFactory: (options) => openAtHead(options!),
    }),
  ],
  providers: [
    PoolMonitor,
    ServiceInstanceRegistry,
    TransactionContext,
    { provide: APP_INTERCEPTOR, useClass: TransactionInterceptor },
    makeGaugeProvider({
      name: POOL_CLIENTS_METRIC,
      help: 'PostgreSQL pool clients by state (total, idle, waiting, max)',
      labelNames: ['state'],
    }),
  ],
  exports: [PoolMonitor, ServiceInstanceRegistry, TransactionContext],
})
export class DatabaseModule {}
