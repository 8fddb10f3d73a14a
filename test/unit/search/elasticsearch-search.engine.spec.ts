import { errors } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';
import { ElasticsearchService } from '@nestjs/elasticsearch';
import { ElasticsearchSearchEngine } from '../../../src/infrastructure/search/elasticsearch/elasticsearch-search.engine';
import { SearchEngineUnavailableError } from '../../../src/infrastructure/search/search-engine';
import { parseSearchQuery } from '../../../src/infrastructure/search/search-query';
import { aComplianceDocument } from '../../support/search-corpus';

/** A request body walked by path in assertions. */
interface Loose {
  [key: string]: Loose;
}

type Params = { body: unknown; querystring: Record<string, string>; path: string; method: string };

describe('ElasticsearchSearchEngine (request shapes against a mocked cluster)', () => {
  let mock: Mock;
  let engine: ElasticsearchSearchEngine;
  const seen: Params[] = [];

  beforeEach(() => {
    mock = new Mock();
    seen.length = 0;
    // The mock is typed against the transport's CommonJS build, the client against its ESM build.
    const Connection = mock.getConnection() as unknown as ConstructorParameters<
      typeof ElasticsearchService
    >[0]['Connection'];
    const client = new ElasticsearchService({ node: 'http://es.invalid:9200', Connection, maxRetries: 0 });
    engine = new ElasticsearchSearchEngine(client, { batchSize: 2, attempts: 3, backoffMs: () => 1 });
  });

  const record = (method: string, path: string, reply: (params: Params) => unknown) =>
    mock.add({ method, path }, (params) => {
      seen.push(params as unknown as Params);
      return reply(params as unknown as Params) as Record<string, unknown>;
    });

  it('indexes in batches through the alias with external versions, resending only rejected items', async () => {
    let call = 0;
    record('POST', '/_bulk', (params) => {
      call++;
      const lines = params.body as Record<string, { _id: string }>[];
      const items = lines
        .filter((line) => 'index' in line)
        .map((line, i) => ({
          index: {
            _id: line.index._id,
            status: call === 1 && i === 1 ? 429 : 201,
            ...(call === 1 && i === 1 ? { error: { type: 'es_rejected_execution_exception' } } : {}),
          },
        }));
      return { errors: items.some((item) => item.index.status === 429), took: 1, items };
    });
    const documents = ['a', 'b', 'c'].map((id) => aComplianceDocument({ id, version: 7 }));
    await engine.index(documents);

    const batches = seen.map((p) =>
      (p.body as Record<string, { _id: string }>[]).filter((l) => 'index' in l).map((l) => l.index._id),
    );
    expect(batches).toEqual([['a', 'b'], ['b'], ['c']]);
    expect((seen[0].body as unknown[])[0]).toEqual({
      index: { _index: 'compliance', _id: 'a', version: 7, version_type: 'external_gte' },
    });
    expect((seen[0].body as unknown[])[1]).toMatchObject({
      documentId: 'a',
      version: 7,
      keywords: { framework: 'SOC2' },
    });
  });

  it('treats a version conflict as already done and a mapping rejection as an error', async () => {
    record('POST', '/_bulk', () => ({
      errors: true,
      took: 1,
      items: [
        { index: { _id: 'a', status: 409, error: { type: 'version_conflict_engine_exception' } } },
        { index: { _id: 'b', status: 400, error: { type: 'mapper_parsing_exception', reason: 'secret text' } } },
      ],
    }));
    await expect(engine.index([aComplianceDocument({ id: 'a' }), aComplianceDocument({ id: 'b' })])).rejects.toThrow(
      /1 document\(s\) rejected: mapper_parsing_exception$/,
    );
  });

  it('searches with must groups, keyword filters, control-id boosts, facet aggregations and <mark> highlights', async () => {
    record('POST', '/compliance/_search', () => ({
      took: 2,
      hits: {
        total: { value: 1, relation: 'eq' },
        hits: [
          {
            _id: 'x',
            _score: 3.5,
            _source: {
              documentId: 'x',
              version: 1,
              code: 'CC6.1',
              title: 't',
              body: 'b',
              keywords: { status: 'failed' },
              occurredAt: '2026-01-01T00:00:00.000Z',
            },
            highlight: { body: ['<mark>access</mark> review'] },
          },
        ],
      },
      aggregations: { status: { buckets: [{ key: 'failed', doc_count: 1 }] } },
    }));
    const result = await engine.search({
      index: 'compliance',
      query: parseSearchQuery('CC6.1'),
      filters: { status: 'failed' },
      facets: ['status'],
      page: 2,
      pageSize: 10,
    });
    const body = seen[0].body as Loose;
    expect(body).toMatchObject({ from: 10, size: 10, track_total_hits: true });
    expect(body.query.bool.filter).toEqual([{ term: { 'keywords.status': 'failed' } }]);
    expect(body.query.bool.should).toContainEqual({ term: { 'code.folded': { value: 'cc6.1', boost: 100 } } });
    expect(body.query.bool.must[0].bool.should).toContainEqual({ match: { 'code.prefix': 'CC6.1' } });
    expect(body.aggs.status.terms.field).toBe('keywords.status');
    expect(body.highlight.pre_tags).toEqual(['<mark>']);
    expect(result).toEqual({
      engine: 'elasticsearch',
      total: 1,
      totalRelation: 'eq',
      facets: { status: [{ value: 'failed', count: 1 }] },
      hits: [
        {
          id: 'x',
          score: 3.5,
          code: 'CC6.1',
          title: 't',
          keywords: { status: 'failed' },
          occurredAt: '2026-01-01T00:00:00.000Z',
          highlights: ['<mark>access</mark> review'],
        },
      ],
    });
  });

  it('reindexes into the next versioned index and swaps the alias atomically', async () => {
    record('HEAD', '/_alias/compliance', () => '');
    record('GET', '/_alias/compliance', () => ({ compliance_v3: { aliases: { compliance: {} } } }));
    record('PUT', '/compliance_v4', () => ({ acknowledged: true }));
    record('POST', '/_bulk', () => ({ errors: false, took: 1, items: [{ index: { _id: 'a', status: 201 } }] }));
    record('GET', '/compliance_v4/_refresh', () => ({}));
    record('POST', '/_aliases', () => ({ acknowledged: true }));
    record('DELETE', '/compliance_v3', () => ({ acknowledged: true }));
    async function* source() {
      yield [aComplianceDocument({ id: 'a' })];
    }
    const progress: number[] = [];
    await engine.reindex('compliance', source(), (p) => void progress.push(p.processed));

    const created = seen.find((p) => p.method === 'PUT') as Params;
    const settings = (created.body as Loose).settings;
    expect(settings.analysis.analyzer.compliance_search.filter).toEqual([
      'lowercase',
      'asciifolding',
      'compliance_synonyms',
      'english_stemmer',
    ]);
    expect(settings.analysis.filter.compliance_synonyms.synonyms).toContain('gdpr, general data protection regulation');
    expect(settings.analysis.filter.control_id_edge_ngram.type).toBe('edge_ngram');
    expect((seen.find((p) => p.path === '/_bulk')?.body as unknown[])[0]).toMatchObject({
      index: { _index: 'compliance_v4' },
    });
    expect(seen.find((p) => p.path === '/_aliases')?.body).toEqual({
      actions: [
        { remove: { index: 'compliance_v3', alias: 'compliance' } },
        { add: { index: 'compliance_v4', alias: 'compliance' } },
      ],
    });
    expect(seen.map((p) => `${p.method} ${p.path}`).at(-1)).toBe('DELETE /compliance_v3');
    expect(progress).toEqual([1]);
  });

  it('reports an unreachable cluster as unavailable so callers fall back', async () => {
    mock.add({ method: 'POST', path: '/compliance/_search' }, () => new errors.ConnectionError('connect ECONNREFUSED'));
    await expect(
      engine.search({
        index: 'compliance',
        query: parseSearchQuery('access'),
        filters: {},
        facets: [],
        page: 1,
        pageSize: 10,
      }),
    ).rejects.toBeInstanceOf(SearchEngineUnavailableError);
  });
});
