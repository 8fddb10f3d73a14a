import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import { PostgresSearchEngine } from '../../../src/infrastructure/search/postgres/postgres-search.engine';
import { createTestDatabase } from '../../support/database';
import { searchEngineContract } from './search-engine.contract';

describe('SearchEngine contract: Postgres full text', () => {
  searchEngineContract(async () => {
    const db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    const dataSource = await new DataSource(buildDataSourceOptions(config.database, db.url)).initialize();
    await dataSource.runMigrations();
    return {
      engine: new PostgresSearchEngine(() => dataSource.manager),
      refresh: async () => undefined,
      close: async () => {
        await dataSource.destroy();
        await db.drop();
      },
    };
  });
});
