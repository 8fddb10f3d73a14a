import { randomUUID } from 'node:crypto';
import { OutboxRelay } from '../../../src/infrastructure/outbox/outbox-relay';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { reindex, searchIndex } from '../../support/search-reindex';

type InventedControl = { id: string; label: string; title: string; statement: string; guidance?: string };

/** An invented OSCAL catalog (no NIST text): one group per family, statement and guidance as parts. */
function aCatalog(families: Record<string, InventedControl[]>) {
  return {
    catalog: {
      uuid: randomUUID(),
      metadata: {
        title: 'Illustrative Safeguards',
        'last-modified': '2026-12-01T00:00:00Z',
        version: '1',
        'oscal-version': '1.0.6',
      },
      groups: Object.entries(families).map(([id, controls]) => ({
        id,
        title: id.toUpperCase(),
        controls: controls.map((control) => ({
          id: control.id,
          title: control.title,
          props: [{ name: 'label', value: control.label }],
          parts: [
            { id: `${control.id}_smt`, name: 'statement', prose: control.statement },
            ...(control.guidance ? [{ id: `${control.id}_gdn`, name: 'guidance', prose: control.guidance }] : []),
          ],
        })),
      })),
    },
  };
}

const FRAMEWORK = 'ILL-SAFE';
const ACCESS: InventedControl = {
  id: 'ac-3',
  label: 'AC-3',
  title: 'Access Enforcement',
  statement: 'Enforce approved authorizations for logical access.',
  guidance: 'Turnstiles complement logical enforcement.',
};
const CRYPTO: InventedControl = {
  id: 'sc-13',
  label: 'SC-13',
  title: 'Cryptographic Protection',
  statement: 'Implement the cryptographic uses the organization requires.',
  guidance: 'Ciphers must be reviewed yearly.',
};

describe('the controls search index and control titles in record search', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** The records created below, named by the control each names. */
  const records = { crypto: '', access: '' };
  const drain = () => t.app.get(OutboxRelay).drain();
  const importCatalog = async (families: Record<string, InventedControl[]>) => {
    await (await t.as('admin')).post(`/catalogs/import?framework=${FRAMEWORK}`).send(aCatalog(families)).expect(200);
    await drain();
  };
  const controls = async (query: Record<string, string>) => searchIndex(await t.as('auditor'), 'controls', query);
  const controlIds = async (q: string) => (await controls({ q })).hits.map((hit) => hit.id);
  const recordIds = async (q: string) =>
    (await searchIndex(await t.as('analyst'), 'compliance', { q })).hits.map((hit) => hit.id);

  it('indexes an imported catalog: controls found by words of their title, statement and guidance, faceted', async () => {
    await importCatalog({ ac: [ACCESS], sc: [CRYPTO] });

    expect(await controlIds('enforcement')).toEqual([`${FRAMEWORK}:ac-3`]);
    expect(await controlIds('authorizations')).toEqual([`${FRAMEWORK}:ac-3`]);
    expect(await controlIds('turnstiles')).toEqual([`${FRAMEWORK}:ac-3`]);
    const found = await controls({ q: 'ciphers', framework: FRAMEWORK, facets: 'framework,group' });
    expect(found.hits).toEqual([
      expect.objectContaining({ id: `${FRAMEWORK}:sc-13`, title: 'SC-13 Cryptographic Protection' }),
    ]);
    expect(found.facets).toEqual({ framework: [{ value: FRAMEWORK, count: 1 }], group: [{ value: 'sc', count: 1 }] });
    const response = await (await t.as('analyst')).get('/search').query({ index: 'controls', q: 'ac-3', group: 'ac' });
    expect(response.status).toBe(200);
    expect(response.body.hits[0]).toMatchObject({ code: 'ac-3', keywords: { framework: FRAMEWORK, group: 'ac' } });
  });

  it('refuses a filter the controls index does not have', async () => {
    const response = await (
      await t.as('auditor')
    )
      .get('/search')
      .query({ index: 'controls', q: 'access', status: 'failed' });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('status');
  });

  it("finds a record by a word of its control's title, by label or OSCAL id, and still by the framework name", async () => {
    const analyst = await t.as('analyst');
    const byLabel = (
      await analyst
        .post('/compliance/records')
        .send(aRecord({ framework: FRAMEWORK, controlId: 'SC-13' }))
        .expect(201)
    ).body;
    const byId = (
      await analyst
        .post('/compliance/records')
        .send(aRecord({ framework: FRAMEWORK, controlId: 'ac-3' }))
        .expect(201)
    ).body;
    const elsewhere = (
      await analyst
        .post('/compliance/records')
        .send(aRecord({ framework: 'GDPR', controlId: 'Art.32-enc' }))
        .expect(201)
    ).body;
    await drain();

    records.crypto = byLabel.id;
    records.access = byId.id;
    expect(await recordIds('cryptographic')).toEqual([byLabel.id]);
    expect(await recordIds('enforcement')).toEqual([byId.id]);
    expect((await recordIds('illustrative safeguards')).sort()).toEqual([byLabel.id, byId.id].sort());
    expect(await recordIds('cryptographic')).not.toContain(elsewhere.id);
  });

  it('re-indexes the records of a framework when its catalog changes, and drops removed controls', async () => {
    const renamed = { ...CRYPTO, title: 'Key Custody' };
    await importCatalog({ sc: [renamed] });

    expect(await controlIds('custody')).toEqual([`${FRAMEWORK}:sc-13`]);
    expect(await controlIds('turnstiles')).toEqual([]);
    expect(await recordIds('custody')).toEqual([records.crypto]);
    expect(await recordIds('cryptographic')).toEqual([]);
    // The record of the removed control keeps its framework name, no longer a title.
    expect(await recordIds('enforcement')).toEqual([]);
    expect((await recordIds('illustrative safeguards')).sort()).toEqual([records.crypto, records.access].sort());
  });

  it('rebuilds both indices on reindex, with control titles', async () => {
    await importCatalog({ ac: [ACCESS], sc: [CRYPTO] });
    await t.db.query(`DELETE FROM search_documents WHERE index_name IN ('controls', 'compliance')`);
    const admin = await t.as('admin');

    const rebuilt = await reindex(admin, 'controls');
    expect(rebuilt).toMatchObject({ status: 'completed', processed: 2, failure: null });
    expect(await controlIds('turnstiles')).toEqual([`${FRAMEWORK}:ac-3`]);

    expect(await reindex(admin, 'compliance')).toMatchObject({ status: 'completed', failure: null });
    expect(await recordIds('cryptographic')).toEqual([records.crypto]);
    expect(await recordIds('enforcement')).toEqual([records.access]);
  });
});
