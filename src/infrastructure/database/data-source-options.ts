import type { Client } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseSettings } from '../../config/app-config.js';
import { expandHostList } from '../../config/postgres-urls.js';
import { MIGRATIONS } from './migrations/index.js';
import { pgSsl } from './postgres-tls.js';
import { hostListClient } from './primary-client.js';

/**
 * One place that turns settings into TypeORM options, shared by the app and the TypeORM CLI.
 * `client` is the pg client class of the pool (the app's times and traces every statement).
 */
export function buildDataSourceOptions(
  settings: DatabaseSettings,
  url: string,
  client?: typeof Client,
): DataSourceOptions {
  const ssl = pgSsl(settings.tls);
  // A host list's class wraps the given one, so statements are observed whichever host serves them.
  const pooled = hostListClient(url, { connectTimeoutMs: settings.connectionTimeoutMs, ssl }, client) ?? client;
  return {
    type: 'postgres',
    // A host list is followed by HostListClient; TypeORM and pg parse only its first host.
    url: expandHostList(url)[0],
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
      // PgBouncer refuses a connection that sets statement_timeout at startup; behind it the
      // timeout is the role's or database's setting (docs/scaling.md#postgres).
      ...(settings.directUrl ? {} : { statement_timeout: settings.statementTimeoutMs }),
      application_name: 'compliance-kit',
      // In the pool's options, so the migration lock's client (made from them) has it too.
      ssl,
      ...(pooled && { Client: pooled }),
    },
  };
}
