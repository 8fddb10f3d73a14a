import type { SearchDocument } from '../../../src/infrastructure/search/search-document';
import { controlDocument, type ControlFacts } from '../../../src/infrastructure/search/search-documents';
import type { SearchEngine, SearchRequest } from '../../../src/infrastructure/search/search-engine';
import { parseSearchQuery } from '../../../src/infrastructure/search/search-query';
import { aComplianceDocument, complianceCorpus } from '../../support/search-corpus';

export interface EngineUnderTest {
  engine: SearchEngine;
  /** Makes every write so far visible to search (a no-op where writes are immediately visible). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

const CORPUS = complianceCorpus(7, 3000);

const request = (q: string, overrides: Partial<SearchRequest> = {}): SearchRequest => ({
  index: 'compliance',
  query: parseSearchQuery(q),
  filters: {},
  facets: [],
  page: 1,
  pageSize: 20,
  ...overrides,
});

/** Invented catalog text: two illustrative frameworks, three families between them. */
const control = (facts: Partial<ControlFacts> & Pick<ControlFacts, 'framework' | 'controlId' | 'title'>) =>
  controlDocument({
    label: null,
    groupId: 'ac',
    statement: null,
    guidance: null,
    version: 1,
    updatedAt: new Date('2026-12-01T00:00:00Z'),
    ...facts,
  });
const CONTROLS = [
  control({
    framework: 'ILL-A',
    controlId: 'ac-2',
    label: 'AC-2',
    title: 'Account Management',
    statement: 'Define the account types the system allows.',
    guidance: 'Shared and temporary accounts are examples.',
  }),
  control({
    framework: 'ILL-A',
    controlId: 'ac-2.1',
    label: 'AC-2(1)',
    title: 'Automated Account Management',
    statement: 'Manage accounts with automated mechanisms.',
    guidance: 'Mechanisms include telephonic notification.',
  }),
  control({
    framework: 'ILL-A',
    controlId: 'sc-13',
    groupId: 'sc',
    title: 'Cryptographic Protection',
    statement: 'Implement the required cryptographic uses.',
    guidance: 'Encryption supports the confidentiality of information.',
  }),
  control({
    framework: 'ILL-B',
    controlId: 'ac-2',
    title: 'Account Lifecycle',
    statement: 'Review accounts every quarter.',
  }),
  control({ framework: 'ILL-B', controlId: 'pm-1', groupId: null, title: 'Program Plan' }),
];

async function* batchesOf(documents: SearchDocument[], size: number) {
  for (let i = 0; i < documents.length; i += size) yield documents.slice(i, i + size);
}

/** The behaviour every SearchEngine must show; run against each engine by its own spec file. */
export function searchEngineContract(start: () => Promise<EngineUnderTest>): void {
  let subject: EngineUnderTest;
  let engine: SearchEngine;
  const handmade = {
    exactControl: aComplianceDocument({ id: 'hm-cc61', code: 'CC6.1', title: 'SOC2 CC6.1 Logical access' }),
    longerControl: aComplianceDocument({ id: 'hm-cc610', code: 'CC6.10', title: 'SOC2 CC6.10 Vendor access' }),
    mentionsControl: aComplianceDocument({ id: 'hm-mention', title: 'Access review', body: 'Maps to CC6.1 and CC6.2' }),
    synonymOnly: aComplianceDocument({
      id: 'hm-synonym',
      title: 'Subject access requests',
      body: 'Answered under the general data protection regulation within thirty days.',
      keywords: { framework: 'Internal', status: 'passed', entityId: 'entity-901' },
    }),
  };

  beforeAll(async () => {
    subject = await start();
    engine = subject.engine;
    await engine.index([...CORPUS, ...Object.values(handmade)]);
    await subject.refresh();
  });
  afterAll(() => subject.close());

  it('returns only documents matching every word, with the total count', async () => {
    const result = await engine.search(request('encryption overdue'));
    const expected = CORPUS.filter((d) => /encryption/i.test(d.title + d.body) && /overdue/i.test(d.body));
    expect(result.total).toBe(expected.length);
    expect(result.totalRelation).toBe('eq');
    expect(result.total).toBeGreaterThan(0);
    for (const hit of result.hits) expect(expected.map((d) => d.id)).toContain(hit.id);
  });

  it('ranks the exact control id first, above longer ids and mere mentions', async () => {
    const result = await engine.search(request('CC6.1', { filters: { entityId: 'entity-900' } }));
    expect(result.hits.map((h) => h.id)).toEqual(['hm-cc61', 'hm-cc610', 'hm-mention']);
    const unfiltered = await engine.search(request('CC6.1', { pageSize: 100 }));
    const exactCount = [...CORPUS, handmade.exactControl].filter((d) => d.code === 'CC6.1').length;
    expect(unfiltered.hits.slice(0, exactCount).every((h) => h.code === 'CC6.1')).toBe(true);
  });

  it('finds a document by a synonym of the framework it mentions, in both directions', async () => {
    const byAbbreviation = await engine.search(request('gdpr thirty', { pageSize: 50 }));
    expect(byAbbreviation.hits.map((h) => h.id)).toContain('hm-synonym');
    const byName = await engine.search(request('general data protection regulation erasure'));
    expect(byName.total).toBe(CORPUS.filter((d) => d.code === 'ART-17').length);
  });

  it('applies keyword filters to hits and total', async () => {
    const result = await engine.search(request('access', { filters: { status: 'failed', framework: 'SOC2' } }));
    expect(result.total).toBeGreaterThan(0);
    for (const hit of result.hits) expect(hit.keywords).toMatchObject({ status: 'failed', framework: 'SOC2' });
  });

  it('counts facets exactly as a GROUP BY over the matching documents', async () => {
    const result = await engine.search(
      request('score', { filters: { status: 'failed' }, facets: ['framework', 'entityId'] }),
    );
    const failed = CORPUS.filter((d) => d.keywords.status === 'failed');
    const groupBy = (field: string) => {
      const counts = new Map<string, number>();
      for (const d of failed) counts.set(d.keywords[field], (counts.get(d.keywords[field]) ?? 0) + 1);
      return [...counts].map(([value, count]) => ({ value, count }));
    };
    const sorted = (rows: { value: string; count: number }[]) =>
      [...rows].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    expect(result.total).toBe(failed.length);
    expect(sorted(result.facets.framework)).toEqual(sorted(groupBy('framework')));
    expect(sorted(result.facets.entityId)).toEqual(sorted(groupBy('entityId')));
  });

  it('pages through results without overlap or gaps', async () => {
    const wide = await engine.search(request('backup', { pageSize: 40 }));
    const first = await engine.search(request('backup', { pageSize: 20 }));
    const second = await engine.search(request('backup', { pageSize: 20, page: 2 }));
    expect(first.total).toBe(wide.total);
    expect([...first.hits, ...second.hits].map((h) => h.id)).toEqual(wide.hits.map((h) => h.id));
  });

  it('highlights the matched terms', async () => {
    const result = await engine.search(request('malware'));
    expect(result.hits[0].highlights.join(' ')).toMatch(/<mark>malware<\/mark>/i);
  });

  it('supports OR and excluded words', async () => {
    const either = await engine.search(request('malware OR cryptography'));
    const malware = await engine.search(request('malware'));
    const cryptography = await engine.search(request('cryptography'));
    expect(either.total).toBe(malware.total + cryptography.total);
    const withoutPassed = await engine.search(request('malware -effectively'));
    for (const hit of withoutPassed.hits) expect(hit.highlights.join(' ')).not.toMatch(/effectively/i);
    expect(withoutPassed.total).toBeLessThan(malware.total);
  });

  it('keeps the newest version and never resurrects a deleted document from an older write', async () => {
    const v2 = aComplianceDocument({ id: 'hm-version', version: 2, title: 'Quokka policy revised' });
    await engine.index([v2]);
    await engine.index([{ ...v2, version: 1, title: 'Quokka policy draft' }]);
    await subject.refresh();
    expect((await engine.search(request('quokka'))).hits.map((h) => h.title)).toEqual(['Quokka policy revised']);

    await engine.delete([{ index: 'compliance', id: 'hm-version', version: 3 }]);
    await engine.index([{ ...v2, version: 2 }]);
    await subject.refresh();
    expect((await engine.search(request('quokka'))).total).toBe(0);
  });

  it('suggests control ids by prefix and by near miss', async () => {
    const byPrefix = await engine.suggest('compliance', 'cc6', 10);
    expect(byPrefix.map((s) => s.text)).toEqual(expect.arrayContaining(['CC6.1', 'CC6.2', 'CC6.10']));
    for (const s of byPrefix.filter((s) => s.kind === 'control')) expect(s.text).toMatch(/^CC6/);
    const nearMiss = await engine.suggest('compliance', 'REQ-10', 10);
    expect(nearMiss.map((s) => s.text)).toContain('REQ-10.2');
  });

  describe('control documents (the controls index)', () => {
    const controls = (q: string, overrides: Partial<SearchRequest> = {}) =>
      engine.search(request(q, { index: 'controls', ...overrides }));
    const ids = async (q: string, overrides: Partial<SearchRequest> = {}) =>
      (await controls(q, overrides)).hits.map((hit) => hit.id);

    beforeAll(async () => {
      await engine.index(CONTROLS);
      await subject.refresh();
    });

    it('finds a control by a word of its title, of its statement and of its guidance', async () => {
      expect(await ids('lifecycle')).toEqual(['ILL-B:ac-2']);
      expect(await ids('quarter')).toEqual(['ILL-B:ac-2']);
      expect(await ids('telephonic')).toEqual(['ILL-A:ac-2.1']);
      expect(await ids('encryption')).toEqual(['ILL-A:sc-13']);
      expect(await ids('cryptographic protection')).toEqual(['ILL-A:sc-13']);
    });

    it('keeps control text out of the other indices and theirs out of it', async () => {
      expect((await engine.search(request('telephonic'))).total).toBe(0);
      expect((await controls('malware')).total).toBe(0);
    });

    it('filters and facets by framework and by group', async () => {
      const result = await controls('accounts', { facets: ['framework', 'group'] });
      expect(result.hits.map((hit) => hit.id).sort()).toEqual(['ILL-A:ac-2', 'ILL-A:ac-2.1', 'ILL-B:ac-2']);
      expect(result.facets.framework).toEqual([
        { value: 'ILL-A', count: 2 },
        { value: 'ILL-B', count: 1 },
      ]);
      expect(result.facets.group).toEqual([{ value: 'ac', count: 3 }]);
      expect(await ids('accounts', { filters: { framework: 'ILL-B' } })).toEqual(['ILL-B:ac-2']);
      expect(await ids('plan', { filters: { framework: 'ILL-B', group: 'ac' } })).toEqual([]);
    });

    it('ranks a control by its OSCAL id first and suggests ids by prefix', async () => {
      const hits = await ids('ac-2');
      expect(hits.slice(0, 2).sort()).toEqual(['ILL-A:ac-2', 'ILL-B:ac-2']);
      expect(hits[2]).toBe('ILL-A:ac-2.1');
      const suggested = (await engine.suggest('controls', 'ac-', 10)).map((s) => s.text);
      expect(suggested).toEqual(expect.arrayContaining(['ac-2', 'ac-2.1']));
    });

    it('highlights the matched words of the guidance', async () => {
      const [hit] = (await controls('telephonic')).hits;
      expect(hit.highlights.join(' ')).toMatch(/<mark>telephonic<\/mark>/i);
      expect(hit).toMatchObject({ code: 'ac-2.1', title: 'AC-2(1) Automated Account Management' });
    });
  });

  it('loses no write made while a reindex runs, and drops documents gone from the source', async () => {
    const source = complianceCorpus(11, 600).map((d) => ({ ...d, index: 'audit' as const }));
    const stale = {
      ...aComplianceDocument({ id: 'gone-from-source', title: 'Stale wombat' }),
      index: 'audit' as const,
    };
    await engine.index([stale]);
    const concurrent: SearchDocument[] = [];
    async function* slowSource() {
      for await (const batch of batchesOf(source, 100)) {
        const live = {
          ...aComplianceDocument({ id: `live-${concurrent.length}`, title: 'Live wombat' }),
          index: 'audit' as const,
        };
        concurrent.push(live);
        await engine.index([live, { ...source[0], version: 5, title: 'Updated wombat' }]);
        yield batch;
      }
    }
    const progress: number[] = [];
    await engine.reindex('audit', slowSource(), (p) => void progress.push(p.processed));
    await subject.refresh();
    expect(progress.at(-1)).toBe(600);
    const live = await engine.search(request('wombat', { index: 'audit', pageSize: 50 }));
    expect(live.hits.map((h) => h.id).sort()).toEqual([...concurrent.map((d) => d.id), source[0].id].sort());
    expect(live.hits.find((h) => h.id === source[0].id)?.title).toBe('Updated wombat');
    const all = await engine.search(request('score', { index: 'audit', pageSize: 1 }));
    expect(all.total).toBe(600);
  });
}
