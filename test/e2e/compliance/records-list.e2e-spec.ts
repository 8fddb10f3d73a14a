import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';

describe('listing compliance records', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    const analyst = await t.as('analyst');
    const records = Array.from({ length: 25 }, (_, i) =>
      aRecord({
        entityId: i % 2 ? 'org-odd' : 'org-even',
        framework: i % 3 ? 'SOC2' : 'HIPAA',
        status: i % 4 ? 'passed' : 'failed',
        score: i * 4,
        assessedAt: new Date(Date.UTC(2026, 10, 1, i)).toISOString(),
      }),
    );
    await analyst.post('/compliance/records/bulk').send({ records }).expect(201);
  });
  afterAll(() => t.close());

  async function allPages(query: Record<string, string | number>) {
    const analyst = await t.as('auditor');
    const seen: { id: string; score: number; entityId: string; framework: string; status: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: typeof seen; nextCursor: string | null } } = await analyst
        .get('/compliance/records')
        .query({ ...query, ...(cursor ? { cursor } : {}) })
        .expect(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen;
  }

  it('filters by entity, framework, status, score range and assessment time', async () => {
    const items = await allPages({
      entityId: 'org-odd',
      framework: 'SOC2',
      status: 'passed',
      minScore: 20,
      maxScore: 80,
      assessedFrom: '2026-11-01T05:00:00Z',
      assessedTo: '2026-11-01T20:00:00Z',
    });
    const expected = Array.from({ length: 25 }, (_, i) => i).filter(
      (i) => i % 2 === 1 && i % 3 !== 0 && i % 4 !== 0 && i * 4 >= 20 && i * 4 <= 80 && i >= 5 && i < 20,
    );
    expect(items.map((item) => item.score).sort((a, b) => a - b)).toEqual(expected.map((i) => i * 4));
  });

  it('pages by cursor in a stable order: no duplicates and no gaps even when rows are inserted meanwhile', async () => {
    const analyst = await t.as('analyst');
    const first = await analyst
      .get('/compliance/records')
      .query({ sort: 'score', order: 'asc', limit: 10 })
      .expect(200);
    expect(first.body.items.map((r: { score: number }) => r.score)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    await analyst
      .post('/compliance/records')
      .send(aRecord({ score: 1 }))
      .expect(201);
    await analyst
      .post('/compliance/records')
      .send(aRecord({ score: 99 }))
      .expect(201);
    const rest = [];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await analyst
        .get('/compliance/records')
        .query({ sort: 'score', order: 'asc', limit: 10, cursor })
        .expect(200);
      rest.push(...page.body.items.map((r: { score: number }) => r.score));
      cursor = page.body.nextCursor;
    }
    expect(rest).toEqual([...Array.from({ length: 15 }, (_, i) => 40 + i * 4), 99]);
  });

  it('walks the default order (newest first) across pages without repeating a record', async () => {
    const items = await allPages({ limit: 7 });
    expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
    expect(items.length).toBeGreaterThanOrEqual(25);
  });

  it.each([
    ['a page size over the cap', { limit: 201 }, 'limit'],
    ['a cursor that is not one', { cursor: 'garbage!' }, 'cursor'],
    [
      'a cursor of another sort order',
      {
        sort: 'score',
        cursor:
          'WyJjcmVhdGVkQXQiLCJkZXNjIiwiMjAyNi0xMS0wMSAwMDowMDowMCswMCIsIjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCJd',
      },
      'cursor',
    ],
    ['an unknown status', { status: 'great' }, 'status'],
  ])('rejects %s with 400', async (_name, query, field) => {
    const analyst = await t.as('auditor');
    const res = await analyst.get('/compliance/records').query(query).expect(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});
