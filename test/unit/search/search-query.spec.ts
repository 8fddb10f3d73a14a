import { expandSynonyms } from '../../../src/infrastructure/search/query-expansion';
import { parseSearchQuery, SearchQuerySyntaxError } from '../../../src/infrastructure/search/search-query';
import { userDocument } from '../../../src/infrastructure/search/search-documents';

describe('parseSearchQuery', () => {
  it('reads words, quoted phrases, OR groups and excluded words', () => {
    expect(parseSearchQuery(' access "key rotation" soc2 OR iso27001 -draft ')).toEqual({
      raw: 'access "key rotation" soc2 OR iso27001 -draft',
      groups: [
        [{ text: 'access', phrase: false }],
        [{ text: 'key rotation', phrase: true }],
        [
          { text: 'soc2', phrase: false },
          { text: 'iso27001', phrase: false },
        ],
      ],
      excluded: [{ text: 'draft', phrase: false }],
    });
  });

  it.each([
    ['', 'empty'],
    ['"key rotation', 'not closed'],
    ['access OR', 'OR needs a term'],
    ['OR access', 'OR needs a term'],
    ['-draft', 'only excludes'],
    ['title:(access AND key)', 'is not supported'],
    ['acc*', 'is not supported'],
  ])('rejects %j as a syntax error (%s)', (query, reason) => {
    expect(() => parseSearchQuery(query)).toThrow(SearchQuerySyntaxError);
    expect(() => parseSearchQuery(query)).toThrow(reason);
  });
});

describe('expandSynonyms', () => {
  it('replaces a multi-word framework name typed as plain words by all its equivalents', () => {
    const expanded = expandSynonyms(parseSearchQuery('General Data Protection Regulation breach'));
    expect(expanded.groups).toEqual([
      [
        { text: 'gdpr', phrase: true },
        { text: 'general data protection regulation', phrase: true },
      ],
      [{ text: 'breach', phrase: false }],
    ]);
  });

  it('leaves words that are no synonym alone', () => {
    const query = parseSearchQuery('access review');
    expect(expandSynonyms(query)).toEqual(query);
  });
});

describe('userDocument', () => {
  it('carries only role, status and creation time, never personal data', () => {
    const document = userDocument({
      id: 'u-1',
      version: 3,
      role: 'auditor',
      status: 'active',
      createdAt: new Date('2026-01-02T00:00:00Z'),
      ...({ email: 'ada@example.com', name: 'Ada' } as object),
    });
    expect(JSON.stringify(document)).not.toMatch(/ada|example/i);
    expect(document.keywords).toEqual({ role: 'auditor', status: 'active' });
  });
});
