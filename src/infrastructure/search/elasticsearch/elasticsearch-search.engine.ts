import type { estypes } from '@elastic/elasticsearch';
import type { ElasticsearchService } from '@nestjs/elasticsearch';
import { SEARCH_INDEXES, type SearchDocument, type SearchIndexName } from '../search-document.js';
import {
  type FacetCount,
  type ReindexProgress,
  type SearchDocumentRef,
  type SearchEngine,
  SearchEngineUnavailableError,
  type SearchRequest,
  type SearchResult,
  type Suggestion,
} from '../search-engine.js';
import { type BulkOperation, type BulkOptions, bulkWrite, DEFAULT_BULK_OPTIONS } from './elasticsearch-bulk.js';
import { INDEX_MAPPINGS, INDEX_SETTINGS, physicalIndexName, versionOf } from './elasticsearch-index-layout.js';
import { searchBody, suggestBody } from './elasticsearch-query.js';

type Source = Omit<SearchDocument, 'index' | 'id'> & { documentId: string };
type TermsAggregate = { buckets: { key: string; doc_count: number }[] };

const toSource = ({ index: _index, id, ...rest }: SearchDocument): Source => ({ documentId: id, ...rest });

const NETWORK_ERRORS = ['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError'];

/**
 * Network failures and cluster-side errors mean "fall back", not "fail the request". Matched by
 * name: the client's ESM and CommonJS builds each have their own error classes.
 */
function unavailable(error: unknown): unknown {
  const { name, statusCode } = error as { name?: string; statusCode?: number };
  const down = NETWORK_ERRORS.includes(name ?? '') || (name === 'ResponseError' && (statusCode ?? 500) >= 500);
  return down ? new SearchEngineUnavailableError(`elasticsearch unavailable: ${name}`) : error;
}

/**
 * Elasticsearch behind aliases: each index alias points at one versioned physical index, writes use
 * external versioning so an older copy never wins, and a reindex builds the next version and swaps
 * the alias atomically. While a rebuild runs in this process, writes go to both indices.
 */
export class ElasticsearchSearchEngine implements SearchEngine {
  readonly kind = 'elasticsearch' as const;
  private readonly rebuilding = new Map<SearchIndexName, string>();

  constructor(
    private readonly client: ElasticsearchService,
    private readonly bulkOptions: BulkOptions = DEFAULT_BULK_OPTIONS,
  ) {}

  /** Creates `<alias>_v1` behind each alias that does not exist yet. */
  async ensureIndices(): Promise<void> {
    await this.guard(async () => {
      for (const alias of SEARCH_INDEXES) {
        if (await this.client.indices.existsAlias({ name: alias })) continue;
        await this.createIndex(physicalIndexName(alias, 1), alias);
      }
    });
  }

  async index(documents: SearchDocument[]): Promise<void> {
    const operations = documents.flatMap((document) =>
      this.targets(document.index).map((target): BulkOperation => [
        { index: { _index: target, _id: document.id, version: document.version, version_type: 'external_gte' } },
        toSource(document),
      ]),
    );
    await this.guard(() => bulkWrite(this.client, operations, this.bulkOptions));
  }

  async delete(refs: SearchDocumentRef[]): Promise<void> {
    const operations = refs.flatMap((ref) =>
      this.targets(ref.index).map((target): BulkOperation => [
        { delete: { _index: target, _id: ref.id, version: ref.version, version_type: 'external_gte' } },
      ]),
    );
    await this.guard(() => bulkWrite(this.client, operations, this.bulkOptions));
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    const response = await this.guard(() => this.client.search<Source>(searchBody(request)));
    const total = response.hits.total;
    const facets: Record<string, FacetCount[]> = {};
    for (const field of request.facets) {
      const aggregate = response.aggregations?.[field] as TermsAggregate | undefined;
      facets[field] = (aggregate?.buckets ?? []).map((b) => ({ value: String(b.key), count: b.doc_count }));
    }
    return {
      engine: this.kind,
      total: typeof total === 'number' ? total : (total?.value ?? 0),
      totalRelation: typeof total === 'object' && total.relation === 'gte' ? 'gte' : 'eq',
      facets,
      hits: response.hits.hits.map((hit) => {
        const source = hit._source as Source;
        return {
          id: source.documentId,
          score: hit._score ?? 0,
          ...(source.code ? { code: source.code } : {}),
          title: source.title,
          keywords: source.keywords,
          occurredAt: source.occurredAt,
          highlights: [...(hit.highlight?.title ?? []), ...(hit.highlight?.body ?? [])],
        };
      }),
    };
  }

  async suggest(index: SearchIndexName, prefix: string, limit: number): Promise<Suggestion[]> {
    const response = await this.guard(() => this.client.search(suggestBody(index, prefix, limit)));
    const values = (name: string) =>
      ((response.aggregations?.[name] as { values?: TermsAggregate } | undefined)?.values?.buckets ?? []).map((b) =>
        String(b.key),
      );
    return [
      ...values('controls').map((text) => ({ text, kind: 'control' as const })),
      ...values('entities').map((text) => ({ text, kind: 'entity' as const })),
    ].slice(0, limit);
  }

  async reindex(
    index: SearchIndexName,
    batches: AsyncIterable<SearchDocument[]>,
    onProgress: (progress: ReindexProgress) => void | Promise<void>,
  ): Promise<void> {
    const current = await this.guard(() => this.currentIndex(index));
    const next = physicalIndexName(index, versionOf(current ?? '') + 1);
    await this.guard(() => this.createIndex(next));
    this.rebuilding.set(index, next);
    try {
      let processed = 0;
      for await (const batch of batches) {
        const operations = batch.map((document): BulkOperation => [
          { index: { _index: next, _id: document.id, version: document.version, version_type: 'external_gte' } },
          toSource(document),
        ]);
        await this.guard(() => bulkWrite(this.client, operations, this.bulkOptions));
        processed += batch.length;
        await onProgress({ processed });
      }
      await this.guard(async () => {
        await this.client.indices.refresh({ index: next });
        const actions: estypes.IndicesUpdateAliasesAction[] = [{ add: { index: next, alias: index } }];
        if (current) actions.unshift({ remove: { index: current, alias: index } });
        await this.client.indices.updateAliases({ actions });
        if (current) await this.client.indices.delete({ index: current });
      });
    } finally {
      this.rebuilding.delete(index);
    }
  }

  async health(): Promise<{ up: boolean; detail?: string }> {
    try {
      const health = await this.client.cluster.health({ timeout: '1s' });
      return { up: health.status !== 'red', detail: `cluster ${health.status}` };
    } catch (error) {
      return { up: false, detail: (error as Error).name };
    }
  }

  private targets(index: SearchIndexName): string[] {
    const next = this.rebuilding.get(index);
    return next ? [index, next] : [index];
  }

  private async currentIndex(alias: SearchIndexName): Promise<string | undefined> {
    if (!(await this.client.indices.existsAlias({ name: alias }))) return undefined;
    const aliases = await this.client.indices.getAlias({ name: alias });
    return Object.keys(aliases).sort((a, b) => versionOf(b) - versionOf(a))[0];
  }

  private async createIndex(name: string, alias?: string): Promise<void> {
    await this.client.indices.create({
      index: name,
      settings: INDEX_SETTINGS,
      mappings: INDEX_MAPPINGS,
      ...(alias ? { aliases: { [alias]: {} } } : {}),
    });
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw unavailable(error);
    }
  }
}
