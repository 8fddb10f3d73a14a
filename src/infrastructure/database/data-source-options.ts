import type { DataSourceOptions } from 'typeorm';
import type { DatabaseSettings } from '../../config/app-config.js';
import { MIGRATIONS } from './migrations/index.js';

/** One place that turns settings into TypeORM options, shared by the app and the TypeORM CLI. */
export function buildDataSourceOptions(settings: DatabaseSettings, url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsRun: settings.migrationsRun,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    poolSize: settings.poolMax,
    connectTimeoutMS: settings.connectionTimeoutMs,
    extra: {
      max: settings.poolMax,
      idleTimeoutMillis: settings.idleTimeoutMs,
      connectionTimeoutMillis: settings.connectionTimeoutMs,
      statement_timeout: settings.statementTimeoutMs,
      application_name: 'compliance-kit',
    },
  };
}
