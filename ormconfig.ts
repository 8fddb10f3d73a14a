import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AppConfig } from './src/config/app-config.js';
import { validateEnvironment } from './src/config/environment.js';
import { buildDataSourceOptions } from './src/infrastructure/database/data-source-options.js';
import { migrationLogger } from './src/infrastructure/database/migration-logging.js';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:revert|generate`; `npm run migration:run` is
 * `src/cli/migrate.ts`, which takes the migration lock). It needs DATABASE_URL: the CLI does not
 * start the embedded cluster, the app does.
 */
const config = new AppConfig(validateEnvironment(process.env));
const url = config.database.url;
if (!url)
  throw new Error('DATABASE_URL must be set for the TypeORM CLI (the embedded cluster runs only inside the app)');

export default new DataSource({
  ...buildDataSourceOptions(config.database, url),
  entities: [`${__dirname}/src/modules/**/entities/*.entity.{ts,js}`],
  migrationsRun: false,
  logger: migrationLogger(config.logLevel),
});
