import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../../support/app';

/** A tiny OSCAL catalog, illustrative only: one group holding the given controls. */
function aCatalog(title: string, controls: [id: string, title: string][]) {
  return {
    catalog: {
      uuid: randomUUID(),
      metadata: { title, 'last-modified': '2026-12-01T00:00:00Z', version: '1', 'oscal-version': '1.0.6' },
      groups: [{ id: 'g', title: 'Illustrative', controls: controls.map(([id, t]) => ({ id, title: t })) }],
    },
  };
}

const end = (framework: string, control: string) => ({ framework, control });
const SOURCE = 'mappings-e2e';

/*
 * The graph, with a cycle: art-32 subset-of a-8-24, a-8-24 equivalent cc6-1, cc6-1 intersects-with art-32;
 * art-5 superset-of art-32 hangs off the start.
 */
const MAPPINGS = [
  {
    from: end('MAP-GDPR', 'art-32'),
    to: end('map-iso', 'a-8-24'),
    relationship: 'subset-of',
    strength: 7,
    rationale: 'Art. 32 names encryption among other measures.',
  },
  { from: end('MAP-ISO', 'a-8-24'), to: end('MAP-SOC', 'cc6-1'), relationship: 'equivalent' },
  { from: end('MAP-SOC', 'CC6.1'), to: end('MAP-GDPR', 'art-32'), relationship: 'intersects-with' },
  { from: end('MAP-GDPR', 'art-5'), to: end('MAP-GDPR', 'art-32'), relationship: 'superset-of', strength: 10 },
];

describe('control mappings (import) and related controls (graph walk)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    const admin = await t.as('admin');
    const catalogs = {
      'MAP-GDPR': aCatalog('GDPR (illustrative)', [
        ['art-5', 'Principles'],
        ['art-32', 'Security of processing'],
      ]),
      'MAP-ISO': aCatalog('ISO 27001 (illustrative)', [['a-8-24', 'Use of cryptography']]),
      'MAP-SOC': aCatalog('SOC 2 (illustrative)', [['cc6-1', 'Logical access security']]),
    };
    for (const [framework, catalog] of Object.entries(catalogs)) {
      await admin.post(`/catalogs/import?framework=${framework}`).send(catalog).expect(200);
    }
    // SOC's control is also known by its label, which mapping files may use.
    await t.db.query(`UPDATE controls SET label = 'CC6.1' WHERE framework = 'MAP-SOC' AND control_id = 'cc6-1'`);
  });
  afterAll(() => t.close());

  const mappingCount = async () =>
    Number(
      (await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM control_mappings WHERE source = $1`, [SOURCE]))[0].n,
    );
  const importMappings = async (mappings: unknown[], expected = 200) =>
    (await t.as('admin')).post('/catalogs/mappings/import').send({ source: SOURCE, mappings }).expect(expected);
  const related = async (path: string, expected = 200) =>
    (await t.as('auditor')).get(`/catalogs/${path}`).expect(expected);
  const reached = (body: { related: { framework: string; control: string; depth: number }[] }) =>
    body.related.map((r) => `${r.framework}/${r.control}@${r.depth}`);

  it('refuses items whose controls do not exist, naming each item, and writes nothing', async () => {
    const res = await importMappings(
      [
        MAPPINGS[0],
        { ...MAPPINGS[1], from: end('MAP-ISO', 'a-9-99') },
        { ...MAPPINGS[1], to: end('NO-CATALOG', 'x') },
        { ...MAPPINGS[1], to: MAPPINGS[1].from },
      ],
      400,
    );
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'mappings.1.from',
      'mappings.2.to',
      'mappings.3.to',
    ]);
    expect(await mappingCount()).toBe(0);
  });

  it('refuses malformed items by their JSON path', async () => {
    const res = await importMappings(
      [{ ...MAPPINGS[0], relationship: 'related' }, { ...MAPPINGS[0], strength: 11 }, { to: MAPPINGS[0].to }],
      400,
    );
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['mappings.0.relationship', 'mappings.1.strength', 'mappings.2.from']),
    );
    expect(await mappingCount()).toBe(0);
  });

  it('imports mappings, and a re-import changes nothing while a changed rationale is an update', async () => {
    const first = await importMappings(MAPPINGS);
    expect(first.body).toEqual({ source: SOURCE, mappings: 4, inserted: 4, updated: 0, unchanged: 0 });
    const [stored] = await t.db.query<{ strength: number; rationale: string }>(
      `SELECT strength, rationale FROM control_mappings WHERE source = $1 AND relationship = 'subset-of'`,
      [SOURCE],
    );
    expect(stored).toEqual({ strength: 7, rationale: MAPPINGS[0].rationale });

    const again = await importMappings(MAPPINGS);
    expect(again.body).toEqual({ source: SOURCE, mappings: 4, inserted: 0, updated: 0, unchanged: 4 });
    // Given twice in one file, the last one wins.
    const changed = await importMappings([MAPPINGS[1], { ...MAPPINGS[1], rationale: 'Same requirement.' }]);
    expect(changed.body).toEqual({ source: SOURCE, mappings: 1, inserted: 0, updated: 1, unchanged: 0 });
    expect(await mappingCount()).toBe(4);
  });

  it('only an admin imports mappings', async () => {
    await (
      await t.as('analyst')
    )
      .post('/catalogs/mappings/import')
      .send({ source: SOURCE, mappings: MAPPINGS })
      .expect(403);
  });

  it('answers the controls one edge away, either direction, with the edge as read from the start', async () => {
    const res = await related('map-gdpr/controls/art-32/related?depth=1');
    expect(res.body.control).toEqual({ framework: 'MAP-GDPR', control: 'art-32', title: 'Security of processing' });
    expect(reached(res.body)).toEqual(['MAP-GDPR/art-5@1', 'MAP-ISO/a-8-24@1', 'MAP-SOC/cc6-1@1']);
    const byControl = Object.fromEntries(res.body.related.map((r: { control: string }) => [r.control, r]));
    expect(byControl['a-8-24'].path).toEqual([
      {
        from: end('MAP-GDPR', 'art-32'),
        to: end('MAP-ISO', 'a-8-24'),
        relationship: 'subset-of',
        direction: 'forward',
        source: SOURCE,
      },
    ]);
    // art-5 superset-of art-32, walked from art-32: art-32 subset-of art-5.
    expect(byControl['art-5'].path).toEqual([
      expect.objectContaining({ from: end('MAP-GDPR', 'art-32'), relationship: 'subset-of', direction: 'reverse' }),
    ]);
  });

  it('walks two edges deep with the whole path when the filter leaves out the short way round', async () => {
    const res = await related('MAP-GDPR/controls/art-32/related?relationships=subset-of,equivalent&depth=2');
    expect(reached(res.body)).toEqual(['MAP-GDPR/art-5@1', 'MAP-ISO/a-8-24@1', 'MAP-SOC/cc6-1@2']);
    const soc = res.body.related.find((r: { control: string }) => r.control === 'cc6-1');
    expect(soc.path.map((step: { to: { control: string }; relationship: string }) => step)).toEqual([
      expect.objectContaining({ to: end('MAP-ISO', 'a-8-24'), relationship: 'subset-of' }),
      expect.objectContaining({
        from: end('MAP-ISO', 'a-8-24'),
        to: end('MAP-SOC', 'cc6-1'),
        relationship: 'equivalent',
        direction: 'forward',
      }),
    ]);
  });

  it('does not loop on a cycle: each control once, at its shortest depth, the start never', async () => {
    const res = await related('MAP-GDPR/controls/art-32/related?depth=4');
    expect(reached(res.body)).toEqual(['MAP-GDPR/art-5@1', 'MAP-ISO/a-8-24@1', 'MAP-SOC/cc6-1@1']);
  });

  it('filters by relationship as read from the walking side', async () => {
    const superset = await related('MAP-ISO/controls/a-8-24/related?relationships=superset-of&depth=3');
    expect(reached(superset.body)).toEqual(['MAP-GDPR/art-32@1']);
    expect(superset.body.related[0].path[0]).toMatchObject({ relationship: 'superset-of', direction: 'reverse' });
    const subset = await related('MAP-ISO/controls/a-8-24/related?relationships=subset-of&depth=3');
    expect(reached(subset.body)).toEqual([]);
  });

  it('finds the start control by its label too', async () => {
    const res = await related('MAP-SOC/controls/CC6.1/related?relationships=equivalent&depth=1');
    expect(res.body.control.control).toBe('cc6-1');
    expect(reached(res.body)).toEqual(['MAP-ISO/a-8-24@1']);
  });

  it('refuses a depth beyond 4 and unknown relationships, and 404s an unknown control', async () => {
    const deep = await related('MAP-GDPR/controls/art-32/related?depth=5', 400);
    expect(deep.body.errors.map((e: { field: string }) => e.field)).toEqual(['depth']);
    await related('MAP-GDPR/controls/art-32/related?depth=0', 400);
    await related('MAP-GDPR/controls/art-32/related?relationships=cousin-of', 400);
    const missing = await related('MAP-GDPR/controls/art-99/related', 404);
    expect(missing.body.type).toBe('/problems/control-not-found');
    await related('NO-CATALOG/controls/art-32/related', 404);
  });
});
