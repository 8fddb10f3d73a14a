import 'reflect-metadata';
import { AdvancedConsoleLogger, DataSource, type LoggerOptions } from 'typeorm';
import { AppConfig } from './src/config/app-config.js';
import { validateEnvironment } from './src/config/environment.js';
import { buildDataSourceOptions } from './src/infrastructure/database/data-source-options.js';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:run|revert|generate`).
 * It needs DATABASE_URL: the CLI does not start the embedded cluster, the app does.
 */
const config = new AppConfig(validateEnvironment(process.env));
const url = config.database.url;
if (!url)
  throw new Error('DATABASE_URL must be set for the TypeORM CLI (the embedded cluster runs only inside the app)');

/**
 * The CLI turns on logging of every statement, hundreds of lines of SQL per run. A logger
 * instance is the one setting it keeps, so LOG_LEVEL decides: one line per migration at `info`,
 * the SQL too at `debug`/`trace`, failures only above `info`. A failing statement always shows.
 */
const MIGRATION_LOGGING: Record<AppConfig['logLevel'], LoggerOptions> = {
  trace: 'all',
  debug: 'all',
  info: ['schema', 'error', 'warn', 'log'],
  warn: ['error', 'warn'],
  error: ['error'],
  fatal: ['error'],
  silent: false,
};

export default new DataSource({
  ...buildDataSourceOptions(config.database, url),
  entities: [`${__dirname}/src/modules/**/entities/*.entity.{ts,js}`],
  migrationsRun: false,
  logger: new AdvancedConsoleLogger(MIGRATION_LOGGING[config.logLevel]),
});
