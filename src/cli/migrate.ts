import 'reflect-metadata';
import { AppConfig } from '../config/app-config.js';
import { validateEnvironment } from '../config/environment.js';
import { buildDataSourceOptions } from '../infrastructure/database/data-source-options.js';
import { migrationLogger } from '../infrastructure/database/migration-logging.js';
import { initializeDataSource, runMigrationsLocked } from '../infrastructure/database/migrations-at-head.js';

/**
 * Brings DATABASE_URL's schema to this build's head under the migration lock, without booting the
 * app (whose modules expect that schema). Safe to run from every replica at once: the compose
 * one-shot service and the Kubernetes init container both run it.
 */
async function migrate(): Promise<void> {
  const config = new AppConfig(validateEnvironment(process.env));
  const url = config.database.url;
  if (!url) {
    process.stderr.write('migrate: DATABASE_URL must be set (the embedded cluster migrates itself at boot)\n');
    process.exit(2);
  }
  const dataSource = await initializeDataSource({
    ...buildDataSourceOptions(config.database, url),
    migrationsRun: false,
    logger: migrationLogger(config.logLevel),
  });
  try {
    const applied = await runMigrationsLocked(dataSource);
    const total = dataSource.migrations.length;
    process.stdout.write(
      `migrate: applied ${applied.length} migration(s); the schema is at this build's head (${total} in all)\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

migrate().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
