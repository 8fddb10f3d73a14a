/** One searched word or quoted phrase. */
export interface QueryClause {
  text: string;
  phrase: boolean;
}

/**
 * The query language both engines accept (web-search style): words and "quoted phrases" must all
 * match, `a OR b` matches either, `-word` excludes. Every group must match; `excluded` must not.
 */
export interface SearchQuery {
  raw: string;
  groups: QueryClause[][];
  excluded: QueryClause[];
}

export class SearchQuerySyntaxError extends Error {
  override readonly name = 'SearchQuerySyntaxError';
}

const UNSUPPORTED = /[()*~^{}[\]\\<>!&|]/;
const TOKEN = /(-?)"([^"]*)"|(\S+)/g;

export function parseSearchQuery(raw: string): SearchQuery {
  const text = raw.trim();
  if (!text) throw new SearchQuerySyntaxError('the query is empty');
  if ((text.match(/"/g) ?? []).length % 2) throw new SearchQuerySyntaxError('a quoted phrase is not closed');
  const unsupported = UNSUPPORTED.exec(text);
  if (unsupported)
    throw new SearchQuerySyntaxError(`"${unsupported[0]}" is not supported; use words, "phrases", OR and -word`);

  const groups: QueryClause[][] = [];
  const excluded: QueryClause[] = [];
  let joinNext = false;
  for (const match of text.matchAll(TOKEN)) {
    const [, minus, quoted, word] = match;
    if (word === 'OR') {
      if (!groups.length || joinNext) throw new SearchQuerySyntaxError('OR needs a term on each side');
      joinNext = true;
      continue;
    }
    const negated = quoted !== undefined ? minus === '-' : word.startsWith('-');
    const clauseText = quoted !== undefined ? quoted.trim() : word.replace(/^-/, '');
    if (!clauseText) throw new SearchQuerySyntaxError('an empty term or phrase');
    const clause = { text: clauseText, phrase: quoted !== undefined };
    if (negated) {
      if (joinNext) throw new SearchQuerySyntaxError('OR cannot join an excluded term');
      excluded.push(clause);
    } else if (joinNext) {
      groups[groups.length - 1].push(clause);
      joinNext = false;
    } else {
      groups.push([clause]);
    }
  }
  if (joinNext) throw new SearchQuerySyntaxError('OR needs a term on each side');
  if (!groups.length) throw new SearchQuerySyntaxError('the query only excludes terms');
  return { raw: text, groups, excluded };
}

/** The query as a single token when it is one bare word: the candidate for control-id matching. */
export function singleTerm(query: SearchQuery): string | undefined {
  const [first] = query.groups;
  return query.groups.length === 1 && first.length === 1 && !first[0].phrase ? first[0].text : undefined;
}
