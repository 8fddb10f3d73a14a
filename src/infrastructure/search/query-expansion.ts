import type { QueryClause, SearchQuery } from './search-query.js';
import { SYNONYM_GROUPS } from './synonyms.js';

const normalise = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

function alternativesOf(phrase: string): readonly string[] | undefined {
  return SYNONYM_GROUPS.find((group) => group.includes(phrase));
}

/**
 * Replaces a synonym, typed as a quoted phrase or as consecutive plain words, by a group matching
 * any of its equivalents, for engines without an analyzer-level synonym filter.
 */
export function expandSynonyms(query: SearchQuery): SearchQuery {
  const groups: QueryClause[][] = [];
  const single = (group: QueryClause[]) => (group.length === 1 ? group[0] : undefined);
  for (let i = 0; i < query.groups.length; i++) {
    const clause = single(query.groups[i]);
    let matched: { length: number; alternatives: readonly string[] } | undefined;
    if (clause?.phrase) {
      const alternatives = alternativesOf(normalise(clause.text));
      if (alternatives) matched = { length: 1, alternatives };
    } else if (clause) {
      const words: string[] = [];
      for (let j = i; j < query.groups.length; j++) {
        const next = single(query.groups[j]);
        if (!next || next.phrase) break;
        words.push(next.text);
        const alternatives = alternativesOf(normalise(words.join(' ')));
        if (alternatives) matched = { length: words.length, alternatives };
      }
    }
    if (matched) {
      groups.push(matched.alternatives.map((text) => ({ text, phrase: true })));
      i += matched.length - 1;
    } else {
      groups.push(query.groups[i]);
    }
  }
  return { ...query, groups };
}
