import type { Counter } from 'prom-client';
import type { ElasticsearchSearchEngine } from '../../../src/infrastructure/search/elasticsearch/elasticsearch-search.engine';
import type { PostgresSearchEngine } from '../../../src/infrastructure/search/postgres/postgres-search.engine';
import { SearchEngineUnavailableError, type Suggestion } from '../../../src/infrastructure/search/search-engine';
import { SuggestParamsDto } from '../../../src/modules/search/dto/search-params.dto';
import { ELASTICSEARCH_RETRY_AFTER_MS, SearchCaller, SearchService } from '../../../src/modules/search/search.service';

const fromPostgres: Suggestion[] = [{ text: 'CC6.1', kind: 'control' }];
const fromElasticsearch: Suggestion[] = [{ text: 'CC6.2', kind: 'control' }];

describe('SearchService fallback to Postgres', () => {
  let elasticsearchUp: boolean;
  let elasticsearchCalls: number;
  let fallbacks: number;
  let service: SearchService;
  const params = Object.assign(new SuggestParamsDto(), { q: 'CC6' });
  const caller: SearchCaller = {
    user: { kind: 'session', id: 'u1', role: 'auditor', sessionId: 's1' },
    request: { requestId: 'r1', ip: '127.0.0.1' },
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-24T12:00:00Z') });
    elasticsearchUp = false;
    elasticsearchCalls = 0;
    fallbacks = 0;
    const elasticsearch = {
      suggest: async () => {
        elasticsearchCalls++;
        if (!elasticsearchUp) throw new SearchEngineUnavailableError('connect ECONNREFUSED');
        return fromElasticsearch;
      },
    } as unknown as ElasticsearchSearchEngine;
    const postgres = { suggest: async () => fromPostgres } as unknown as PostgresSearchEngine;
    const securityEvents = { record: async () => undefined };
    service = new SearchService(
      postgres,
      elasticsearch,
      { inc: () => fallbacks++ } as unknown as Counter,
      securityEvents,
    );
  });
  afterEach(() => jest.useRealTimers());

  it('answers from Postgres when Elasticsearch fails, and skips Elasticsearch until the retry delay has passed', async () => {
    expect(await service.suggest(params, caller)).toEqual(fromPostgres);
    expect(await service.suggest(params, caller)).toEqual(fromPostgres);
    expect(elasticsearchCalls).toBe(1);
    expect(fallbacks).toBe(2);

    elasticsearchUp = true;
    jest.advanceTimersByTime(ELASTICSEARCH_RETRY_AFTER_MS - 1);
    expect(await service.suggest(params, caller)).toEqual(fromPostgres);
    expect(elasticsearchCalls).toBe(1);

    jest.advanceTimersByTime(1);
    expect(await service.suggest(params, caller)).toEqual(fromElasticsearch);
    expect(await service.suggest(params, caller)).toEqual(fromElasticsearch);
    expect(elasticsearchCalls).toBe(3);
    expect(fallbacks).toBe(3);
  });
});
