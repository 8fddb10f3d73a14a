import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import {
  PostgresSearchEngine,
  type PostgresSearchOptions,
} from '../../../src/infrastructure/search/postgres/postgres-search.engine';
import type { SearchRequest } from '../../../src/infrastructure/search/search-engine';
import { parseSearchQuery } from '../../../src/infrastructure/search/search-query';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { complianceCorpus } from '../../support/search-corpus';
import { searchEngineContract } from './search-engine.contract';

async function migratedDatabase(): Promise<{ db: TestDatabase; dataSource: DataSource }> {
  const db = await createTestDatabase();
  const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
  const dataSource = await new DataSource(buildDataSourceOptions(config.database, db.url)).initialize();
  await dataSource.runMigrations();
  return { db, dataSource };
}

const engineUnderTest = (options?: PostgresSearchOptions) => async () => {
  const { db, dataSource } = await migratedDatabase();
  return {
    engine: new PostgresSearchEngine(() => dataSource.manager, options),
    refresh: async () => undefined,
    close: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
};

describe('SearchEngine contract: Postgres full text', () => {
  searchEngineContract(engineUnderTest());
});

describe('SearchEngine contract: Postgres full text ranking only the first 1,000 candidates', () => {
  searchEngineContract(engineUnderTest({ rankCandidates: 1_000 }));
});

describe('Postgres full text with a cap on ranked candidates', () => {
  const CAP = 100;
  let db: TestDatabase;
  let dataSource: DataSource;
  let capped: PostgresSearchEngine;
  let exact: PostgresSearchEngine;
  const request = (q: string, page = 1): SearchRequest => ({
    index: 'compliance',
    query: parseSearchQuery(q),
    filters: {},
    facets: [],
    page,
    pageSize: 20,
  });

  beforeAll(async () => {
    ({ db, dataSource } = await migratedDatabase());
    capped = new PostgresSearchEngine(() => dataSource.manager, { rankCandidates: CAP });
    exact = new PostgresSearchEngine(() => dataSource.manager);
    await exact.index(complianceCorpus(7, 3000));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('reports the total as a lower bound once matches reach the cap', async () => {
    const result = await capped.search(request('score'));
    expect(result).toMatchObject({ total: CAP, totalRelation: 'gte' });
    expect(result.hits).toHaveLength(20);
    expect((await exact.search(request('score'))).total).toBe(3000);
  });

  it('reports the same capped total on a page past the ranked candidates', async () => {
    const pastTheCap = await capped.search(request('score', CAP / 20 + 1));
    expect(pastTheCap).toMatchObject({ total: CAP, totalRelation: 'gte', hits: [] });
  });

  it('counts exactly below the cap', async () => {
    const expected = await exact.search(request('malware'));
    expect(expected.total).toBeLessThan(CAP);
    expect(await capped.search(request('malware'))).toMatchObject({ total: expected.total, totalRelation: 'eq' });
  });

  it('still ranks an exact control id first', async () => {
    const result = await capped.search(request('CC6.1'));
    expect(result.hits.slice(0, 5).map((h) => h.code)).toEqual(Array(5).fill('CC6.1'));
  });
});
