import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { AuthenticatedUser, Role } from '../../common/auth/roles.js';
import { CircuitBreaker } from '../../common/circuit-breaker.js';
import { ProblemException, ValidationProblem } from '../../common/problem.js';
import type { RequestMeta } from '../../common/request-meta.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import type { ElasticsearchSearchEngine } from '../../infrastructure/search/elasticsearch/elasticsearch-search.engine.js';
import type { PostgresSearchEngine } from '../../infrastructure/search/postgres/postgres-search.engine.js';
import { KEYWORD_FIELDS, type SearchIndexName } from '../../infrastructure/search/search-document.js';
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

/** After Elasticsearch fails, searches go straight to Postgres this long before it is tried again. */
export const ELASTICSEARCH_RETRY_AFTER_MS = 5_000;

/** Who may read each index (admin reads all): the audit trail stays with auditors, as on `GET /audit/events`. */
const INDEX_READERS: Record<SearchIndexName, readonly Role[]> = {
  compliance: ['auditor', 'analyst'],
  audit: ['auditor'],
  users: ['auditor', 'analyst'],
  controls: ['auditor', 'analyst'],
};

/** The caller of a search, to check their role against the index. */
export interface SearchCaller {
  user?: AuthenticatedUser;
  request: RequestMeta;
}

/**
 * The read side: validates the query against the chosen index, asks Elasticsearch when configured
 * and Postgres otherwise, and answers from Postgres whenever Elasticsearch is unavailable.
 */
@Injectable()
export class SearchService {
  private readonly logger = new Logger('Search');
  /** A node that times out instead of refusing would otherwise cost every search the request timeout. */
  private readonly breaker = new CircuitBreaker(ELASTICSEARCH_RETRY_AFTER_MS);

  constructor(
    @Inject(POSTGRES_SEARCH) private readonly postgres: PostgresSearchEngine,
    @Inject(ELASTICSEARCH_SEARCH) private readonly elasticsearch: ElasticsearchSearchEngine | null,
    @InjectMetric(FALLBACK_METRIC) private readonly fallbacks: Counter,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
  ) {}

  async search(params: SearchParamsDto, caller: SearchCaller): Promise<TimedSearchResult> {
    await this.assertMayRead(params.index, caller);
    const request = this.toRequest(params);
    const started = performance.now();
    const result = await this.withFallback((engine) => engine.search(request));
    return { ...result, tookMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  async suggest(params: SuggestParamsDto, caller: SearchCaller): Promise<Suggestion[]> {
    await this.assertMayRead(params.index, caller);
    return this.withFallback((engine) => engine.suggest(params.index, params.q.trim(), params.limit));
  }

  private async assertMayRead(index: SearchIndexName, { user, request }: SearchCaller): Promise<void> {
    if (!user || user.role === 'admin' || INDEX_READERS[index].includes(user.role)) return;
    await this.securityEvents.record({
      action: 'auth.forbidden',
      severity: 'warning',
      outcome: 'denied',
      actorId: user.id,
      request,
      details: { role: user.role, index },
    });
    throw new ProblemException(403, 'forbidden', `Your role may not search the ${index} index.`);
  }

  private async withFallback<T>(work: (engine: SearchEngine) => Promise<T>): Promise<T> {
    if (!this.elasticsearch) return work(this.postgres);
    if (!this.breaker.mayTry()) {
      this.fallbacks.inc();
      return work(this.postgres);
    }
    try {
      const result = await work(this.elasticsearch);
      if (this.breaker.close()) this.logger.log('Elasticsearch answers again');
      return result;
    } catch (error) {
      if (!(error instanceof SearchEngineUnavailableError)) throw error;
      this.breaker.failed();
      this.fallbacks.inc();
      this.logger.warn(`answering from Postgres for ${ELASTICSEARCH_RETRY_AFTER_MS} ms: ${error.message}`);
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
