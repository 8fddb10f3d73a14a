import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { ValidationProblem } from '../../common/problem.js';
import type { ElasticsearchSearchEngine } from '../../infrastructure/search/elasticsearch/elasticsearch-search.engine.js';
import type { PostgresSearchEngine } from '../../infrastructure/search/postgres/postgres-search.engine.js';
import { KEYWORD_FIELDS } from '../../infrastructure/search/search-document.js';
import {
  type SearchEngine,
  SearchEngineUnavailableError,
  type SearchRequest,
  type SearchResult,
  type Suggestion,
} from '../../infrastructure/search/search-engine.js';
import { parseSearchQuery, SearchQuerySyntaxError } from '../../infrastructure/search/search-query.js';
import type { SearchParamsDto, SuggestParamsDto } from './dto/search-params.dto.js';
import { ELASTICSEARCH_SEARCH, FALLBACK_METRIC, POSTGRES_SEARCH } from './search-engines.js';

export type TimedSearchResult = SearchResult & { tookMs: number };

/**
 * The read side: validates the query against the chosen index, asks Elasticsearch when configured
 * and Postgres otherwise, and answers from Postgres whenever Elasticsearch is unavailable.
 */
@Injectable()
export class SearchService {
  private readonly logger = new Logger('Search');

  constructor(
    @Inject(POSTGRES_SEARCH) private readonly postgres: PostgresSearchEngine,
    @Inject(ELASTICSEARCH_SEARCH) private readonly elasticsearch: ElasticsearchSearchEngine | null,
    @InjectMetric(FALLBACK_METRIC) private readonly fallbacks: Counter,
  ) {}

  async search(params: SearchParamsDto): Promise<TimedSearchResult> {
    const request = this.toRequest(params);
    const started = performance.now();
    const result = await this.withFallback((engine) => engine.search(request));
    return { ...result, tookMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  async suggest(params: SuggestParamsDto): Promise<Suggestion[]> {
    return this.withFallback((engine) => engine.suggest(params.index, params.q.trim(), params.limit));
  }

  private async withFallback<T>(work: (engine: SearchEngine) => Promise<T>): Promise<T> {
    if (!this.elasticsearch) return work(this.postgres);
    try {
      return await work(this.elasticsearch);
    } catch (error) {
      if (!(error instanceof SearchEngineUnavailableError)) throw error;
      this.fallbacks.inc();
      this.logger.warn(`answering from Postgres: ${error.message}`);
      return work(this.postgres);
    }
  }

  private toRequest(params: SearchParamsDto): SearchRequest {
    const allowed = KEYWORD_FIELDS[params.index];
    const filters: Record<string, string> = {};
    const errors: { field: string; messages: string[] }[] = [];
    for (const field of Object.keys(params.filterValues())) {
      if (allowed.includes(field)) filters[field] = params.filterValues()[field];
      else errors.push({ field, messages: [`${field} cannot filter the ${params.index} index`] });
    }
    for (const field of params.facets) {
      if (!allowed.includes(field)) {
        errors.push({ field: 'facets', messages: [`${field} is not a facet of the ${params.index} index`] });
      }
    }
    try {
      const query = parseSearchQuery(params.q);
      if (errors.length) throw new ValidationProblem(errors, 'The search filters do not fit the index.');
      return {
        index: params.index,
        query,
        filters,
        facets: params.facets,
        page: params.page,
        pageSize: params.pageSize,
      };
    } catch (error) {
      if (!(error instanceof SearchQuerySyntaxError)) throw error;
      throw new ValidationProblem(
        [{ field: 'q', messages: [error.message] }, ...errors],
        'The search query is invalid.',
      );
    }
  }
}
