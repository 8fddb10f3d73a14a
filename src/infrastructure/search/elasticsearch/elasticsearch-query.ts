import type { estypes } from '@elastic/elasticsearch';
import type { SearchRequest } from '../search-engine.js';
import { singleTerm, type QueryClause } from '../search-query.js';

export const FACET_SIZE = 50;

function clauseQuery(clause: QueryClause): estypes.QueryDslQueryContainer {
  return clause.phrase
    ? { multi_match: { query: clause.text, type: 'phrase', fields: ['title^2', 'body'] } }
    : { multi_match: { query: clause.text, fields: ['code.folded^4', 'title^2', 'body'], operator: 'and' } };
}

/** The search body for one request: synonyms come from the analyzer, control ids from `code` subfields. */
export function searchBody(request: SearchRequest): estypes.SearchRequest {
  const term = singleTerm(request.query);
  const must = request.query.groups.map((group, position) => {
    const should = group.map(clauseQuery);
    if (term && position === 0) should.push({ match: { 'code.prefix': term } });
    return { bool: { should, minimum_should_match: 1 } };
  });
  const boosts: estypes.QueryDslQueryContainer[] = term
    ? [
        { term: { 'code.folded': { value: term.toLowerCase(), boost: 100 } } },
        { match: { 'code.prefix': { query: term, boost: 10 } } },
      ]
    : [];
  return {
    index: request.index,
    from: (request.page - 1) * request.pageSize,
    size: request.pageSize,
    track_total_hits: true,
    query: {
      bool: {
        must,
        must_not: request.query.excluded.map(clauseQuery),
        filter: Object.entries(request.filters).map(([field, value]) => ({ term: { [`keywords.${field}`]: value } })),
        should: boosts,
      },
    },
    sort: [{ _score: { order: 'desc' } }, { documentId: { order: 'asc' } }],
    aggs: Object.fromEntries(
      request.facets.map((field) => [
        field,
        { terms: { field: `keywords.${field}`, size: FACET_SIZE, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
      ]),
    ),
    highlight: {
      pre_tags: ['<mark>'],
      post_tags: ['</mark>'],
      encoder: 'html',
      fields: { title: { number_of_fragments: 0 }, body: { number_of_fragments: 2, fragment_size: 120 } },
    },
  };
}

/** Control ids by prefix or near miss, and entity ids by prefix, as term aggregations. */
export function suggestBody(index: string, prefix: string, limit: number): estypes.SearchRequest {
  const controls: estypes.QueryDslQueryContainer = {
    bool: {
      should: [
        { match: { 'code.prefix': prefix } },
        { fuzzy: { 'code.folded': { value: prefix.toLowerCase(), fuzziness: 'AUTO' } } },
      ],
      minimum_should_match: 1,
    },
  };
  const entities: estypes.QueryDslQueryContainer = { prefix: { 'keywords.entityId': prefix } };
  return {
    index,
    size: 0,
    query: { bool: { should: [controls, entities], minimum_should_match: 1 } },
    aggs: {
      controls: { filter: controls, aggs: { values: { terms: { field: 'code', size: limit } } } },
      entities: { filter: entities, aggs: { values: { terms: { field: 'keywords.entityId', size: limit } } } },
    },
  };
}
