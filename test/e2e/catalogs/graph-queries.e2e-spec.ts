import { randomUUID } from 'node:crypto';
import { startTestApp, startTestReplica, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { waitFor } from '../../support/wait-for';

interface ControlSpec {
  id: string;
  title: string;
  label?: string;
  related?: string[];
}

/** A tiny OSCAL catalog, illustrative only (invented ids and titles): one group holding the controls. */
function aCatalog(title: string, controls: ControlSpec[]) {
  return {
    catalog: {
      uuid: randomUUID(),
      metadata: { title, 'last-modified': '2026-12-01T00:00:00Z', version: '1', 'oscal-version': '1.0.6' },
      groups: [
        {
          id: 'g',
          title: 'Illustrative',
          controls: controls.map((control) => ({
            id: control.id,
            title: control.title,
            ...(control.label && { props: [{ name: 'label', value: control.label }] }),
            ...(control.related && { links: control.related.map((id) => ({ href: `#${id}`, rel: 'related' })) }),
          })),
        },
      ],
    },
  };
}

const ISO = 'ISO27001';
const SOC = 'SOC2';
const GDPR = 'GDPR';
const SOURCE = 'graph-queries-e2e';
const ENTITY = 'org-graph-e';
const OTHER_ENTITY = 'org-graph-f';
const end = (framework: string, control: string) => ({ framework, control });
const map = (from: [string, string], relationship: string, to: [string, string]) => ({
  from: end(...from),
  to: end(...to),
  relationship,
});
const MALWARE_SOURCES = ['a-7-1', 'a-7-2', 'a-7-3', 'a-7-4', 'a-7-5', 'a-7-6'];

const CATALOGS = {
  [ISO]: aCatalog('ISO 27001 (illustrative)', [
    { id: 'a-5-1', title: 'Monitoring policy' },
    { id: 'a-5-15', title: 'Access control', label: 'A.5.15', related: ['a-8-24'] },
    { id: 'a-5-16', title: 'Identity management' },
    { id: 'a-5-18', title: 'Access rights' },
    { id: 'a-8-5', title: 'Secure authentication' },
    { id: 'a-8-20', title: 'Network security' },
    { id: 'a-8-24', title: 'Use of cryptography' },
    ...MALWARE_SOURCES.map((id, i) => ({ id, title: `Malware safeguard ${i + 1}` })),
  ]),
  [SOC]: aCatalog('SOC 2 (illustrative)', [
    { id: 'cc6-1', title: 'Logical access security', label: 'CC6.1' },
    { id: 'cc6-2', title: 'User registration' },
    { id: 'cc6-3', title: 'Access removal' },
    { id: 'cc6-5', title: 'Asset disposal' },
    { id: 'cc6-6', title: 'Boundary protection' },
    { id: 'cc6-7', title: 'Data transmission' },
    { id: 'cc6-8', title: 'Malware prevention' },
    { id: 'cc7-2', title: 'System monitoring' },
    { id: 'cc8-1', title: 'Change management', label: 'CC8.1' },
    { id: 'cc9-9', title: 'Isolated requirement', related: ['cc8-1'] },
  ]),
  [GDPR]: aCatalog('GDPR (illustrative)', [
    { id: 'art-5', title: 'Principles' },
    { id: 'art-25', title: 'Data protection by design' },
    { id: 'art-32', title: 'Security of processing' },
  ]),
};

/*
 * Each mapping reads "from is … of to". The triangle a-5-15 / art-32 / cc6-1 is a cycle; art-25 reaches
 * cc6-3 in three equivalent edges only.
 */
const MAPPINGS = [
  map([ISO, 'a-8-24'], 'equivalent', [SOC, 'cc6-7']),
  map([SOC, 'CC6.1'], 'subset-of', [ISO, 'a-5-15']),
  map([ISO, 'a-5-15'], 'equivalent', [GDPR, 'art-32']),
  map([GDPR, 'art-32'], 'intersects-with', [SOC, 'cc6-1']),
  map([ISO, 'a-8-5'], 'intersects-with', [SOC, 'cc6-2']),
  map([SOC, 'cc6-5'], 'superset-of', [ISO, 'a-8-24']),
  map([ISO, 'a-8-20'], 'equivalent', [SOC, 'cc6-6']),
  map([ISO, 'a-5-1'], 'equivalent', [SOC, 'cc7-2']),
  map([GDPR, 'art-25'], 'equivalent', [ISO, 'a-5-18']),
  map([ISO, 'a-5-18'], 'equivalent', [ISO, 'a-5-16']),
  map([ISO, 'a-5-16'], 'equivalent', [SOC, 'cc6-3']),
  ...MALWARE_SOURCES.map((id) => map([ISO, id], 'superset-of', [SOC, 'cc6-8'])),
];

interface Evidence {
  record: { id: string; framework: string; control: string; status: string; assessedAt: string };
  path: { from: { control: string }; to: { control: string }; relationship: string; direction: string }[];
  relationship: string;
}
interface Coverage {
  control: string;
  coverage: string;
  evidence: Evidence[];
  moreEvidence: boolean;
  reason?: string;
}

describe('graph queries: coverage, impact, centrality', () => {
  let t: TestApp;
  let rankingBeforeAnyGraph: unknown;
  const records: Record<string, string> = {};

  async function record(key: string, overrides: Record<string, string>) {
    const analyst = await t.as('analyst');
    const res = await analyst.post('/compliance/records').send(aRecord(overrides)).expect(201);
    records[key] = res.body.id;
  }

  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '200' });
    rankingBeforeAnyGraph = (await (await t.as('analyst')).get('/catalogs/centrality').expect(200)).body;
    const admin = await t.as('admin');
    for (const [framework, catalog] of Object.entries(CATALOGS)) {
      await admin.post(`/catalogs/import?framework=${framework}`).send(catalog).expect(200);
    }
    await admin.post('/catalogs/mappings/import').send({ source: SOURCE, mappings: MAPPINGS }).expect(200);

    const passed = (framework: string, controlId: string, assessedAt = '2026-11-20T10:00:00.000Z') =>
      record(`${framework}/${controlId}`, { entityId: ENTITY, framework, controlId, status: 'passed', assessedAt });
    for (const [framework, control] of [
      [ISO, 'a-5-15'],
      [GDPR, 'art-32'],
      [ISO, 'a-8-5'],
      [GDPR, 'art-25'],
      [ISO, 'a-8-24'],
      [ISO, 'a-5-1'],
      [SOC, 'CC8.1'],
    ]) {
      await passed(framework, control);
    }
    for (const [i, id] of MALWARE_SOURCES.entries()) await passed(ISO, id, `2026-11-0${i + 1}T10:00:00.000Z`);
    // a-8-20 passed once, then failed: the latest record is the control's assessment.
    await passed(ISO, 'a-8-20', '2026-10-01T10:00:00.000Z');
    await record('a-8-20 failed', { entityId: ENTITY, framework: ISO, controlId: 'a-8-20', status: 'failed' });
    await record('cc7-2 failed', { entityId: ENTITY, framework: SOC, controlId: 'cc7-2', status: 'failed' });
    await record('other cc6-1', { entityId: OTHER_ENTITY, framework: SOC, controlId: 'cc6-1', status: 'failed' });
  });
  afterAll(() => t.close());

  const get = async (path: string, expected = 200, role: 'analyst' | 'auditor' | 'service' = 'auditor') =>
    (await t.as(role)).get(path).expect(expected);
  const coverage = async (query: string) => {
    const res = await get(`/catalogs/soc2/coverage?entityId=${ENTITY}&${query}`);
    return res.body as { summary: Record<string, number>; total: number; controls: Coverage[] };
  };
  const byControl = (controls: Coverage[]) => Object.fromEntries(controls.map((c) => [c.control, c]));
  const evidenceOf = (c: Coverage) => c.evidence.map((e) => `${e.record.framework}/${e.record.control}`);

  describe('coverage', () => {
    it('covers through an equivalent mapping, with the record and the path', async () => {
      const { controls } = await coverage('depth=2');
      const cc67 = byControl(controls)['cc6-7'];
      expect(cc67).toMatchObject({ coverage: 'covered', moreEvidence: false });
      expect(cc67.evidence).toEqual([
        {
          record: {
            id: records[`${ISO}/a-8-24`],
            framework: ISO,
            control: 'a-8-24',
            status: 'passed',
            assessedAt: '2026-11-20T10:00:00.000Z',
          },
          path: [
            {
              from: end(ISO, 'a-8-24'),
              to: end(SOC, 'cc6-7'),
              relationship: 'equivalent',
              direction: 'forward',
              source: SOURCE,
            },
          ],
          relationship: 'equivalent',
        },
      ]);
    });

    it('covers through a stored subset-of read in reverse as superset-of, preferring a covering path to a shorter partial one', async () => {
      const cc61 = byControl((await coverage('depth=2')).controls)['cc6-1'];
      expect(cc61.coverage).toBe('covered');
      expect(evidenceOf(cc61)).toEqual([`${ISO}/a-5-15`, `${GDPR}/art-32`]);
      expect(cc61.evidence[0].path).toEqual([
        expect.objectContaining({ from: end(ISO, 'a-5-15'), relationship: 'superset-of', direction: 'reverse' }),
      ]);
      expect(cc61.evidence[0].relationship).toBe('superset-of');
      // art-32 intersects cc6-1 in one edge, but covers it in two: equivalent to a-5-15, which covers cc6-1.
      expect(cc61.evidence[1].path.map((step) => [step.to.control, step.relationship])).toEqual([
        ['a-5-15', 'equivalent'],
        ['cc6-1', 'superset-of'],
      ]);
    });

    it('counts a passed record on the control itself, named by its label, and never a related link', async () => {
      const controls = byControl((await coverage('depth=2')).controls);
      expect(controls['cc8-1'].coverage).toBe('covered');
      expect(controls['cc8-1'].evidence).toEqual([
        expect.objectContaining({
          record: expect.objectContaining({ control: 'cc8-1' }),
          path: [],
          relationship: 'equivalent',
        }),
      ]);
      expect(controls['cc9-9']).toMatchObject({
        coverage: 'not-covered',
        evidence: [],
        reason: 'no passed record on this control or on any control mapped to it within depth 2',
      });
    });

    it('is partial through intersects-with, and through a superset-of read in reverse as subset-of', async () => {
      const controls = byControl((await coverage('depth=2')).controls);
      expect(controls['cc6-2']).toMatchObject({ coverage: 'partial' });
      expect(controls['cc6-2'].evidence.map((e) => e.relationship)).toEqual(['intersects-with']);
      expect(controls['cc6-5']).toMatchObject({ coverage: 'partial' });
      expect(controls['cc6-5'].evidence[0]).toMatchObject({
        relationship: 'subset-of',
        path: [expect.objectContaining({ relationship: 'subset-of', direction: 'reverse' })],
      });
    });

    it('lets a failed record on the control itself outweigh mapped coverage, and a newer failure withdraw a pass', async () => {
      const controls = byControl((await coverage('depth=2')).controls);
      expect(controls['cc7-2']).toMatchObject({ coverage: 'not-covered', evidence: [] });
      expect(controls['cc7-2'].reason).toMatch(new RegExp(`^failed record ${records['cc7-2 failed']} on this control`));
      expect(controls['cc6-6']).toMatchObject({ coverage: 'not-covered', evidence: [] });
    });

    it('lists at most five records, nearest and newest first, and says more exist', async () => {
      const cc68 = byControl((await coverage('depth=2')).controls)['cc6-8'];
      expect(cc68).toMatchObject({ coverage: 'covered', moreEvidence: true });
      expect(evidenceOf(cc68)).toEqual(['a-7-6', 'a-7-5', 'a-7-4', 'a-7-3', 'a-7-2'].map((id) => `${ISO}/${id}`));
    });

    it('stops at the depth asked: a three-edge chain covers at depth 3, not at depth 2', async () => {
      expect(byControl((await coverage('depth=2')).controls)['cc6-3'].coverage).toBe('not-covered');
      const cc63 = byControl((await coverage('depth=3')).controls)['cc6-3'];
      expect(cc63.coverage).toBe('covered');
      expect(cc63.evidence[0].path.map((step) => step.to.control)).toEqual(['a-5-18', 'a-5-16', 'cc6-3']);
    });

    it('ends on a cycle, each record once per control, and answers in catalog order with a summary', async () => {
      const body = await coverage('depth=4');
      expect(body.controls.map((c) => c.control)).toEqual(CATALOGS[SOC].catalog.groups[0].controls.map((c) => c.id));
      expect(evidenceOf(byControl(body.controls)['cc6-1'])).toEqual([`${ISO}/a-5-15`, `${GDPR}/art-32`]);
      expect(body.summary).toEqual({ controls: 10, covered: 5, partial: 2, notCovered: 3 });
      expect((await coverage('depth=2')).summary).toEqual({ controls: 10, covered: 4, partial: 2, notCovered: 4 });
    });

    it('answers one control, by label, the same as within the whole catalog, at every depth', async () => {
      for (const depth of [1, 2, 3, 4]) {
        const whole = byControl((await coverage(`depth=${depth}`)).controls);
        for (const control of ['CC6.1', 'cc6-3', 'cc6-8', 'cc7-2', 'cc9-9']) {
          const one = await coverage(`depth=${depth}&control=${control}`);
          expect(one.controls).toHaveLength(1);
          expect(one.controls[0]).toEqual(whole[one.controls[0].control]);
        }
      }
    });

    it('lists only the coverage asked for, and counts all of it', async () => {
      const body = await coverage('depth=2&status=partial,not-covered');
      expect(body.controls.map((c) => c.control)).toEqual(['cc6-2', 'cc6-3', 'cc6-5', 'cc6-6', 'cc7-2', 'cc9-9']);
      expect(body).toMatchObject({ total: 6, offset: 0, limit: 2000 });
      expect(body.summary.covered).toBe(4);
    });

    it('pages through the catalog in its order, the summary whole on every page', async () => {
      const page = await coverage('depth=2&offset=2&limit=3');
      expect(page.controls.map((c) => c.control)).toEqual(['cc6-3', 'cc6-5', 'cc6-6']);
      expect(page).toMatchObject({ total: 10, offset: 2, limit: 3 });
      const past = await coverage('depth=2&status=covered&offset=4');
      expect(past).toMatchObject({ controls: [], total: 4, summary: { controls: 10, covered: 4 } });
    });

    it('refuses bad parameters, 404s an unknown catalog or control, and is for analysts and auditors', async () => {
      const missing = await get('/catalogs/SOC2/coverage', 400);
      expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['entityId']);
      await get(`/catalogs/SOC2/coverage?entityId=${ENTITY}&depth=5`, 400);
      await get(`/catalogs/SOC2/coverage?entityId=${ENTITY}&status=covered,maybe`, 400);
      await get(`/catalogs/SOC2/coverage?entityId=${ENTITY}&limit=2001`, 400);
      await get(`/catalogs/SOC2/coverage?entityId=${ENTITY}&offset=-1`, 400);
      const noCatalog = await get(`/catalogs/HIPAA/coverage?entityId=${ENTITY}`, 404);
      expect(noCatalog.body.type).toBe('/problems/catalog-not-found');
      const noControl = await get(`/catalogs/SOC2/coverage?entityId=${ENTITY}&control=cc99-9`, 404);
      expect(noControl.body.type).toBe('/problems/control-not-found');
      await get(`/catalogs/SOC2/coverage?entityId=${ENTITY}`, 200, 'analyst');
      await get(`/catalogs/SOC2/coverage?entityId=${ENTITY}`, 403, 'service');
    });
  });

  describe('impact', () => {
    it('reaches the controls mapped to a failed control by framework, with paths and the entities on them', async () => {
      const res = await get('/catalogs/iso27001/controls/A.5.15/impact?depth=2');
      expect(res.body).toMatchObject({
        control: { framework: ISO, control: 'a-5-15', title: 'Access control' },
        depth: 2,
        controlCount: 2,
        truncated: false,
        entityCount: 2,
        limit: 100,
      });
      // The catalog's related link to a-8-24 is not followed.
      expect(res.body.frameworks).toEqual([
        {
          framework: GDPR,
          controlCount: 1,
          entityCount: 1,
          controls: [
            {
              framework: GDPR,
              control: 'art-32',
              title: 'Security of processing',
              depth: 1,
              path: [expect.objectContaining({ relationship: 'equivalent', direction: 'forward' })],
            },
          ],
        },
        {
          framework: SOC,
          controlCount: 1,
          entityCount: 1,
          controls: [
            expect.objectContaining({
              control: 'cc6-1',
              path: [expect.objectContaining({ relationship: 'superset-of', direction: 'reverse' })],
            }),
          ],
        },
      ]);
      expect(res.body.entities).toEqual([
        {
          entityId: ENTITY,
          records: [
            expect.objectContaining({ id: records[`${ISO}/a-5-15`], control: 'a-5-15', status: 'passed' }),
            expect.objectContaining({ id: records[`${GDPR}/art-32`], control: 'art-32', status: 'passed' }),
          ],
        },
        { entityId: OTHER_ENTITY, records: [expect.objectContaining({ control: 'cc6-1', status: 'failed' })] },
      ]);
    });

    it('bounds the entities by limit and still counts them all', async () => {
      const res = await get('/catalogs/ISO27001/controls/a-5-15/impact?limit=1');
      expect(res.body.entityCount).toBe(2);
      expect(res.body.entities.map((e: { entityId: string }) => e.entityId)).toEqual([ENTITY]);
    });

    it('refuses bad parameters and 404s an unknown control', async () => {
      await get('/catalogs/ISO27001/controls/a-5-15/impact?depth=0', 400);
      await get('/catalogs/ISO27001/controls/a-5-15/impact?limit=1001', 400);
      const missing = await get('/catalogs/ISO27001/controls/a-9-99/impact', 404);
      expect(missing.body.type).toBe('/problems/control-not-found');
      await get('/catalogs/HIPAA/controls/a-5-15/impact', 404);
      await get('/catalogs/ISO27001/controls/a-5-15/impact', 403, 'service');
    });
  });

  describe('centrality', () => {
    type Ranking = {
      computedAt: string | null;
      pending: boolean;
      controls: { control: string; degree: number; score: number }[];
    };
    const ranking = async (query = '') => (await get(`/catalogs/centrality${query}`, 200, 'service')).body as Ranking;

    it('answers no scores before the graph is first computed', () => {
      expect(rankingBeforeAnyGraph).toEqual({
        computedAt: null,
        pending: false,
        framework: null,
        limit: 50,
        controls: [],
      });
    });

    it('ranks controls by score once the outbox has computed it, a static route before the catalog export', async () => {
      await waitFor(async () => (await ranking()).controls[0]?.degree === 6);
      const body = await ranking('?limit=3');
      expect(body.computedAt).not.toBeNull();
      expect(body.controls[0]).toMatchObject({
        rank: 1,
        framework: SOC,
        control: 'cc6-8',
        label: null,
        title: 'Malware prevention',
        degree: 6,
        frameworks: [ISO],
      });
      expect(body.controls).toHaveLength(3);
      const scores = (await ranking('?limit=500')).controls.map((c) => c.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(scores.reduce((sum, score) => sum + score, 0)).toBeCloseTo(1, 6);
      // Isolated controls (related links only) score 0.
      expect((await ranking('?framework=soc2&limit=500')).controls.at(-1)).toMatchObject({ degree: 0, score: 0 });
    });

    it('filters by framework and refuses bad parameters', async () => {
      const iso = await ranking('?framework=ISO27001&limit=500');
      expect(iso.controls.map((c) => c.control)).toContain('a-5-15');
      expect(iso.controls).toHaveLength(CATALOGS[ISO].catalog.groups[0].controls.length);
      await get('/catalogs/centrality?limit=0', 400);
      await get('/catalogs/centrality?limit=501', 400);
      await get('/catalogs/centrality?framework=not%20a%20code', 400);
      expect((await get('/catalogs/centrality?framework=HIPAA', 404)).body.type).toBe('/problems/catalog-not-found');
    });

    it('recomputes after a mapping import', async () => {
      const before = await ranking();
      const admin = await t.as('admin');
      const hub = ['a-5-1', 'a-5-16', 'a-8-5', 'a-8-20', 'a-8-24', ...MALWARE_SOURCES];
      await admin
        .post('/catalogs/mappings/import')
        .send({
          source: `${SOURCE}-hub`,
          mappings: hub.map((id) => map([GDPR, 'art-5'], 'intersects-with', [ISO, id])),
        })
        .expect(200);
      await waitFor(async () => (await ranking()).controls[0]?.control === 'art-5');
      const after = await ranking();
      expect(after.controls[0]).toMatchObject({ framework: GDPR, degree: hub.length, frameworks: [ISO] });
      expect(Date.parse(after.computedAt as string)).toBeGreaterThan(Date.parse(before.computedAt as string));
      await waitFor(async () => !(await ranking()).pending);
    });

    it('computes a request whose job was lost when a replica boots, and says it is pending meanwhile', async () => {
      await waitFor(async () => !(await ranking()).pending);
      const before = await ranking();
      // What a crash between the delivery's commit and the job leaves behind.
      await t.db.query('UPDATE control_centrality_state SET requested = requested + 1');
      expect((await ranking()).pending).toBe(true);
      const replica = await startTestReplica(t);
      try {
        await waitFor(async () => !(await ranking()).pending);
        const after = await ranking();
        expect(Date.parse(after.computedAt as string)).toBeGreaterThan(Date.parse(before.computedAt as string));
        expect(after.controls).toEqual(before.controls);
      } finally {
        await replica.close();
      }
    });
  });
});
