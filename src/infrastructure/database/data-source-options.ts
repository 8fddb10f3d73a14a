import type { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseSettings } from '../../config/app-config.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * One place that turns settings into TypeORM options, shared by the app and the TypeORM CLI.
 * `client` is the pg client class of the pool (the app's times and traces every statement).
 */
export function buildDataSourceOptions(
  settings: DatabaseSettings,
  url: string,
  client?: typeof Client,
): DataSourceOptions {
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
      ...(client && { Client: client }),
    },
  };
}
