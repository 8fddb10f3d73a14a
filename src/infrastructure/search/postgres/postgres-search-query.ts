import { expandSynonyms } from '../query-expansion.js';
import type { SearchRequest } from '../search-engine.js';
import { singleTerm, type QueryClause } from '../search-query.js';
import { escapeLike, SqlParameters } from './sql-parameters.js';

export interface CompiledSearch {
  /** FROM clause adding the tsquery as column `q`. */
  from: string;
  where: string;
  /** Extra score for control ids: exact beats prefix beats text relevance. */
  codeBoost: string;
  /** Set when the query is one word: the condition selecting control ids starting with it. */
  codePrefix?: string;
}

const clauseQuery = (clause: QueryClause, params: SqlParameters) =>
  `websearch_to_tsquery('english', ${params.add(clause.phrase ? `"${clause.text.replace(/"/g, '')}"` : clause.text)})`;

/** Turns the parsed query and filters into SQL over search_documents; values are all parameters. */
export function compileSearch(request: SearchRequest, params: SqlParameters, ranked = false): CompiledSearch {
  const query = expandSynonyms(request.query);
  const groups = query.groups.map((group) => `(${group.map((c) => clauseQuery(c, params)).join(' || ')})`);
  const excluded = query.excluded.map((c) => `!! ${clauseQuery(c, params)}`);
  const tsquery = [...groups, ...excluded].join(' && ');

  const conditions = [`d.index_name = ${params.add(request.index)}`, 'NOT d.deleted'];
  const term = singleTerm(request.query);
  let codeBoost = '0';
  let codePrefix: string | undefined;
  if (term) {
    const prefix = params.add(`${escapeLike(term.toLowerCase())}%`);
    conditions.push(`(d.search_vector @@ s.q OR lower(d.code) LIKE ${prefix})`);
    codePrefix = `lower(d.code) LIKE ${prefix}`;
    if (ranked) {
      const exact = params.add(term.toLowerCase());
      codeBoost = `CASE WHEN lower(d.code) = ${exact} THEN 100 WHEN lower(d.code) LIKE ${prefix} THEN 10 ELSE 0 END`;
    }
  } else {
    conditions.push('d.search_vector @@ s.q');
  }
  if (Object.keys(request.filters).length) {
    conditions.push(`d.keywords @> ${params.add(JSON.stringify(request.filters))}::jsonb`);
  }
  return {
    from: `search_documents d, (SELECT ${tsquery} AS q) s`,
    where: conditions.join(' AND '),
    codeBoost,
    codePrefix,
  };
}
