import { errors } from '@elastic/elasticsearch';
import Mock from '@elastic/elasticsearch-mock';
import { ElasticsearchService } from '@nestjs/elasticsearch';
import { ElasticsearchSearchEngine } from '../../../src/infrastructure/search/elasticsearch/elasticsearch-search.engine';
import { controlDocument } from '../../../src/infrastructure/search/search-documents';
import { parseSearchQuery } from '../../../src/infrastructure/search/search-query';

/** A request body walked by path in assertions. */
interface Loose {
  [key: string]: Loose;
}

type Params = { body: unknown; path: string; method: string };

/** The `controls` index on Elasticsearch, as request shapes against a mocked cluster (no cluster runs here). */
describe('ElasticsearchSearchEngine: the controls index', () => {
  let mock: Mock;
  let engine: ElasticsearchSearchEngine;
  const seen: Params[] = [];

  beforeEach(() => {
    mock = new Mock();
    seen.length = 0;
    const Connection = mock.getConnection() as unknown as ConstructorParameters<
      typeof ElasticsearchService
    >[0]['Connection'];
    engine = new ElasticsearchSearchEngine(
      new ElasticsearchService({ node: 'http://es.invalid:9200', Connection, maxRetries: 0 }),
    );
  });

  const record = (method: string, path: string, reply: (params: Params) => unknown) =>
    mock.add({ method, path }, (params) => {
      seen.push(params as unknown as Params);
      return reply(params as unknown as Params) as Record<string, unknown>;
    });

  it('creates controls_v1 behind the controls alias, with framework and group as keywords', async () => {
    const missing = () =>
      new errors.ResponseError({ body: {}, statusCode: 404, headers: {}, warnings: [], meta: {} as never });
    record('HEAD', '/_alias/controls', missing);
    for (const alias of ['compliance', 'audit', 'users']) record('HEAD', `/_alias/${alias}`, () => '');
    record('PUT', '/controls_v1', () => ({ acknowledged: true }));
    await engine.ensureIndices();

    const created = seen.filter((p) => p.method === 'PUT');
    expect(created.map((p) => p.path)).toEqual(['/controls_v1']);
    const body = created[0].body as Loose;
    expect(body.aliases).toEqual({ controls: {} });
    expect(body.mappings.dynamic).toBe('strict');
    expect(body.mappings.properties.keywords.properties.framework).toEqual({ type: 'keyword' });
    expect(body.mappings.properties.keywords.properties.group).toEqual({ type: 'keyword' });
  });

  it('indexes a control through the alias with its external version', async () => {
    record('POST', '/_bulk', () => ({ errors: false, took: 1, items: [{ index: { _id: 'x', status: 201 } }] }));
    const version = 1_764_900_000_000_000;
    await engine.index([
      controlDocument({
        framework: 'ILL-A',
        controlId: 'sc-13',
        label: 'SC-13',
        groupId: 'sc',
        title: 'Cryptographic Protection',
        statement: 'Implement cryptographic mechanisms.',
        guidance: 'Encryption protects backups.',
        version,
        updatedAt: new Date('2026-12-01T00:00:00Z'),
      }),
    ]);
    const [action, source] = seen[0].body as Record<string, unknown>[];
    expect(action).toEqual({
      index: { _index: 'controls', _id: 'ILL-A:sc-13', version, version_type: 'external_gte' },
    });
    expect(source).toEqual({
      documentId: 'ILL-A:sc-13',
      version,
      code: 'sc-13',
      title: 'SC-13 Cryptographic Protection',
      body: 'Implement cryptographic mechanisms.\nEncryption protects backups.',
      keywords: { framework: 'ILL-A', group: 'sc' },
      occurredAt: '2026-12-01T00:00:00.000Z',
    });
  });

  it('searches the controls alias with a framework filter and a group facet', async () => {
    record('POST', '/controls/_search', () => ({
      took: 1,
      hits: { total: { value: 0, relation: 'eq' }, hits: [] },
      aggregations: { group: { buckets: [{ key: 'sc', doc_count: 0 }] } },
    }));
    const result = await engine.search({
      index: 'controls',
      query: parseSearchQuery('encryption'),
      filters: { framework: 'ILL-A' },
      facets: ['group'],
      page: 1,
      pageSize: 20,
    });
    const body = seen[0].body as Loose;
    expect(body.query.bool.filter).toEqual([{ term: { 'keywords.framework': 'ILL-A' } }]);
    expect(body.aggs.group.terms.field).toBe('keywords.group');
    expect(result.facets).toEqual({ group: [{ value: 'sc', count: 0 }] });
  });
});
