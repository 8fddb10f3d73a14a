import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';

/** NIST's baselines and the OSCAL schema are read from the shared folder, never copied into the repository. */
const OSCAL = path.join(__dirname, '../../../../shared/oscal');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(OSCAL, file), 'utf8')) as Record<string, unknown>;
const LOW = 'NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog-min.json';
const MODERATE = 'NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json';

/** The OSCAL schemas are draft-07 with Unicode property escapes (`\p{L}`) and keywords ajv's strict mode refuses. */
function catalogValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(readJson('oscal_catalog_schema.v1.0.6.json'));
}

describe('control catalogs (OSCAL import and export)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await t.db.query<{ n: string }>(sql, params))[0].n);
  const controlsOf = (framework: string) =>
    count(`SELECT count(*) AS n FROM controls WHERE framework = $1`, [framework]);
  const edgesOf = (framework: string) =>
    count(
      `SELECT count(*) AS n FROM control_mappings m JOIN controls c ON c.id = m.source_control WHERE c.framework = $1`,
      [framework],
    );

  async function importCatalog(file: string | Record<string, unknown>, framework: string, expected = 200) {
    const admin = await t.as('admin');
    const body = typeof file === 'string' ? readJson(file) : file;
    return admin.post(`/catalogs/import?framework=${framework}`).send(body).expect(expected);
  }

  it('imports the LOW baseline over HTTP, creating its framework, with enhancements under their controls', async () => {
    const res = await importCatalog(LOW, 'nist-800-53-low');
    expect(res.body).toMatchObject({ framework: 'NIST-800-53-LOW', frameworkCreated: true, catalogCreated: true });
    expect(res.body.controls).toBeGreaterThan(100);
    expect(res.body.inserted).toBe(res.body.controls);
    expect(await controlsOf('NIST-800-53-LOW')).toBe(res.body.controls);
    const [enhancement] = await t.db.query<{ parent: string; group_id: string; label: string; statement: string }>(
      `SELECT p.control_id AS parent, c.group_id, c.label, c.statement
         FROM controls c JOIN controls p ON p.id = c.parent_id
        WHERE c.framework = 'NIST-800-53-LOW' AND c.control_id = 'ia-2.1'`,
    );
    expect(enhancement).toMatchObject({ parent: 'ia-2', group_id: 'ia', label: 'IA-2(1)' });
    expect(enhancement.statement.length).toBeGreaterThan(10);
    const analyst = await t.as('analyst');
    const frameworks = await analyst.get('/compliance/frameworks').expect(200);
    expect(frameworks.body.map((f: { code: string }) => f.code)).toContain('NIST-800-53-LOW');
  });

  it('re-imports the MODERATE baseline idempotently: same counts, nothing duplicated, nothing rewritten', async () => {
    const first = await importCatalog(MODERATE, 'NIST-800-53-MODERATE');
    const controls = await controlsOf('NIST-800-53-MODERATE');
    const edges = await edgesOf('NIST-800-53-MODERATE');
    expect(first.body.relatedMappings).toBe(edges);
    expect(edges).toBeGreaterThan(0);

    const again = await importCatalog(MODERATE, 'NIST-800-53-MODERATE');
    expect(again.body).toMatchObject({
      frameworkCreated: false,
      catalogCreated: false,
      controls: first.body.controls,
      inserted: 0,
      updated: 0,
      unchanged: first.body.controls,
      removed: 0,
      relatedMappings: first.body.relatedMappings,
    });
    expect(await controlsOf('NIST-800-53-MODERATE')).toBe(controls);
    expect(await edgesOf('NIST-800-53-MODERATE')).toBe(edges);
  });

  it('exports a catalog that validates against the OSCAL 1.0.6 schema and equals the imported document', async () => {
    await importCatalog(MODERATE, 'NIST-800-53-MODERATE');
    const auditor = await t.as('auditor');
    const exported = await auditor.get('/catalogs/nist-800-53-moderate').expect(200);
    const validate = catalogValidator();
    expect(validate.errors ?? validate(exported.body)).toBe(true);
    expect(exported.body).toEqual(readJson(MODERATE));
  });

  it('round-trips MODERATE: importing its export into another framework gives the same catalog', async () => {
    const auditor = await t.as('auditor');
    const exported = await auditor.get('/catalogs/NIST-800-53-MODERATE').expect(200);
    const copy = await importCatalog(exported.body, 'NIST-MODERATE-COPY');
    expect(copy.body.controls).toBe(await controlsOf('NIST-800-53-MODERATE'));
    expect(copy.body.relatedMappings).toBe(await edgesOf('NIST-800-53-MODERATE'));
    const again = await auditor.get('/catalogs/NIST-MODERATE-COPY').expect(200);
    expect(again.body).toEqual(exported.body);
  });

  it('updates changed controls and removes dropped ones on re-import, in one transaction', async () => {
    const catalog = readJson(LOW) as { catalog: { groups: { controls: { id: string; title: string }[] }[] } };
    // The last control goes (the others keep their place); the first one gets a new title.
    const { groups } = catalog.catalog;
    const dropped = groups[groups.length - 1].controls.pop() as { id: string };
    groups[0].controls[0].title = 'Policy and Procedures (edited)';
    const res = await importCatalog(catalog, 'NIST-800-53-LOW');
    expect(res.body).toMatchObject({ inserted: 0, updated: 1 });
    expect(res.body.removed).toBeGreaterThanOrEqual(1);
    const left = `SELECT count(*) AS n FROM controls WHERE control_id = $1 AND framework = 'NIST-800-53-LOW'`;
    expect(await count(left, [dropped.id])).toBe(0);
    expect(await controlsOf('NIST-800-53-LOW')).toBe(res.body.controls);
  });

  it('refuses a malformed catalog with 400 naming the field, writing nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM compliance_frameworks`);
    const res = await importCatalog(
      {
        catalog: {
          uuid: 'not-a-uuid',
          metadata: { title: 'x' },
          groups: [{ id: 'g', title: 'G', controls: [{ id: '1 bad' }] }],
        },
      },
      'BROKEN',
      400,
    );
    expect(res.body.type).toBe('/problems/validation');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['catalog.uuid', 'catalog.groups.0.controls.0.id', 'catalog.groups.0.controls.0.title']),
    );
    expect(await count(`SELECT count(*) AS n FROM compliance_frameworks`)).toBe(before);
    const analyst = await t.as('analyst');
    await analyst.get('/catalogs/BROKEN').expect(404);
  });

  it('takes catalogs above the global body limit, up to its own 16 MiB, and answers 413 above that', async () => {
    const admin = await t.as('admin');
    const huge = JSON.stringify({ catalog: { padding: 'x'.repeat(16 * 1024 * 1024) } });
    const res = await admin
      .post('/catalogs/import?framework=HUGE')
      .set('content-type', 'application/json')
      .send(huge)
      .expect(413);
    expect(res.body.type).toBe('/problems/payload-too-large');
  });

  it('lets only admins import, and answers 404 for a framework without a catalog', async () => {
    const analyst = await t.as('analyst');
    await analyst.post('/catalogs/import?framework=X').send({ catalog: {} }).expect(403);
    await analyst.get('/catalogs/GDPR').expect(404);
    await analyst.get('/catalogs/not%20a%20code').expect(404);
  });

  describe('records of a catalogued framework', () => {
    beforeAll(() => importCatalog(MODERATE, 'NIST-800-53-MODERATE'));

    it('accepts a control of the catalog, by OSCAL id or by label', async () => {
      const analyst = await t.as('analyst');
      await analyst
        .post('/compliance/records')
        .send(aRecord({ framework: 'NIST-800-53-MODERATE', controlId: 'ac-2.1' }))
        .expect(201);
      await analyst
        .post('/compliance/records')
        .send(aRecord({ framework: 'NIST-800-53-MODERATE', controlId: 'SC-28' }))
        .expect(201);
    });

    it('refuses an unknown control with 400 naming controlId, on create, bulk and update', async () => {
      const analyst = await t.as('analyst');
      const single = await analyst
        .post('/compliance/records')
        .send(aRecord({ framework: 'NIST-800-53-MODERATE', controlId: 'zz-99' }))
        .expect(400);
      expect(single.body.errors).toEqual([{ field: 'controlId', messages: [expect.stringContaining('controlId')] }]);

      const bulk = await analyst
        .post('/compliance/records/bulk')
        .send({
          records: [
            aRecord({ framework: 'NIST-800-53-MODERATE', controlId: 'ac-2' }),
            aRecord({ framework: 'NIST-800-53-MODERATE', controlId: 'zz-99' }),
            aRecord({ framework: 'GDPR', controlId: 'zz-99' }),
          ],
        })
        .expect(400);
      expect(bulk.body.errors.map((e: { field: string }) => e.field)).toEqual(['records.1.controlId']);

      const { body: created } = await analyst
        .post('/compliance/records')
        .send(aRecord({ framework: 'NIST-800-53-MODERATE', controlId: 'ac-2' }))
        .expect(201);
      const patch = await analyst
        .patch(`/compliance/records/${created.id}`)
        .set('If-Match', '"1"')
        .send({ controlId: 'zz-99' })
        .expect(400);
      expect(patch.body.errors.map((e: { field: string }) => e.field)).toEqual(['controlId']);
      await analyst
        .patch(`/compliance/records/${created.id}`)
        .set('If-Match', '"1"')
        .send({ controlId: 'ac-3' })
        .expect(200);
    });

    it('keeps records of frameworks without a catalog working with any control id', async () => {
      const analyst = await t.as('analyst');
      await analyst
        .post('/compliance/records')
        .send(aRecord({ framework: 'SOC2', controlId: 'CC6.1' }))
        .expect(201);
    });
  });
});
