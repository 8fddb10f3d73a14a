import type { estypes } from '@elastic/elasticsearch';
import { ALL_KEYWORD_FIELDS, type SearchIndexName } from '../search-document.js';
import { SYNONYM_RULES } from '../synonyms.js';

/** Physical index names are versioned (`compliance_v3`); callers only ever use the alias (`compliance`). */
export const physicalIndexName = (alias: SearchIndexName, version: number) => `${alias}_v${version}`;

export function versionOf(physicalName: string): number {
  const match = /_v(\d+)$/.exec(physicalName);
  return match ? Number(match[1]) : 0;
}

export const INDEX_SETTINGS: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  refresh_interval: '1s',
  analysis: {
    filter: {
      compliance_synonyms: { type: 'synonym_graph', synonyms: SYNONYM_RULES, lenient: true },
      english_stemmer: { type: 'stemmer', language: 'english' },
      control_id_edge_ngram: { type: 'edge_ngram', min_gram: 1, max_gram: 24 },
    },
    analyzer: {
      compliance_text: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['lowercase', 'asciifolding', 'english_stemmer'],
      },
      compliance_search: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['lowercase', 'asciifolding', 'compliance_synonyms', 'english_stemmer'],
      },
      control_id_prefix: {
        type: 'custom',
        tokenizer: 'keyword',
        filter: ['lowercase', 'asciifolding', 'control_id_edge_ngram'],
      },
      control_id: { type: 'custom', tokenizer: 'keyword', filter: ['lowercase', 'asciifolding'] },
    },
    normalizer: { folded: { type: 'custom', filter: ['lowercase', 'asciifolding'] } },
  },
};

const text: estypes.MappingProperty = {
  type: 'text',
  analyzer: 'compliance_text',
  search_analyzer: 'compliance_search',
};

export const INDEX_MAPPINGS: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    documentId: { type: 'keyword' },
    version: { type: 'long' },
    code: {
      type: 'keyword',
      fields: {
        folded: { type: 'keyword', normalizer: 'folded' },
        prefix: { type: 'text', analyzer: 'control_id_prefix', search_analyzer: 'control_id' },
      },
    },
    title: text,
    body: text,
    keywords: {
      type: 'object',
      properties: Object.fromEntries(ALL_KEYWORD_FIELDS.map((field) => [field, { type: 'keyword' }])),
    },
    occurredAt: { type: 'date' },
  },
};
