import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CatalogsRepository } from '../../../src/modules/catalogs/catalogs.repository';
import { waitFor } from '../../support/wait-for';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';

/** NIST's baselines are read from the shared folder, never copied into the repository. */
const OSCAL = path.join(__dirname, '../../../../shared/oscal');
const LOW = 'NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog-min.json';
const FRAMEWORK = 'NIST-800-53-LOW';

interface Control {
  id: string;
  title: string;
}
const baseline = () =>
  JSON.parse(readFileSync(path.join(OSCAL, LOW), 'utf8')) as { catalog: { groups: { controls: Control[] }[] } };
/** The baseline with `edit` applied to its AC family (the first group). */
function editedBaseline(edit: (controls: Control[]) => void) {
  const catalog = baseline();
  edit(catalog.catalog.groups[0].controls);
  return catalog;
}

describe('the control title on record reads', () => {
  let t: TestApp;
  const importCatalog = async (catalog: object) =>
    (await t.as('admin')).post(`/catalogs/import?framework=${FRAMEWORK}`).send(catalog).expect(200);

  beforeAll(async () => {
    t = await startTestApp();
    await importCatalog(baseline());
  });
  afterAll(() => t.close());

  async function create(overrides = {}) {
    const analyst = await t.as('analyst');
    return (await analyst.post('/compliance/records').send(aRecord(overrides)).expect(201)).body;
  }

  it("shows the catalog control's title on create and read, by OSCAL id or label", async () => {
    const byLabel = await create({ framework: FRAMEWORK, controlId: 'AC-2' });
    expect(byLabel.controlTitle).toBe('Account Management');
    const byId = await create({ framework: FRAMEWORK, controlId: 'ia-2.1' });
    const auditor = await t.as('auditor');
    for (let read = 0; read < 2; read++) {
      // The second read is served from the record cache: the title is resolved after it.
      const res = await auditor.get(`/compliance/records/${byId.id}`).expect(200);
      expect(res.body.controlTitle).toBe(byId.controlTitle);
    }
    expect(byId.controlTitle).toMatch(/Multi-factor Authentication/i);
  });

  it('is null for a framework without a catalog', async () => {
    const record = await create({ framework: 'GDPR', controlId: 'Art.32-1' });
    expect(record.controlTitle).toBeNull();
    const read = await (await t.as('analyst')).get(`/compliance/records/${record.id}`).expect(200);
    expect(read.body.controlTitle).toBeNull();
  });

  it('shows the new control on a PATCH that changes it', async () => {
    const record = await create({ framework: FRAMEWORK, controlId: 'ac-2' });
    const analyst = await t.as('analyst');
    const patched = await analyst
      .patch(`/compliance/records/${record.id}`)
      .set('If-Match', '"1"')
      .send({ controlId: 'AC-3' })
      .expect(200);
    expect(patched.body.controlTitle).toBe('Access Enforcement');
  });

  it('titles a listed page in one lookup, whatever the number of records', async () => {
    const entityId = 'org-list-titles';
    await create({ entityId, framework: FRAMEWORK, controlId: 'ac-2' });
    await create({ entityId, framework: FRAMEWORK, controlId: 'AC-3' });
    await create({ entityId, framework: 'SOC2', controlId: 'CC6.1' });
    // The search indexer resolves the same controls when it delivers these creations: let it finish first.
    await waitFor(async () => {
      const [row] = await t.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM outbox_deliveries WHERE status = 'pending'`,
      );
      return Number(row.n) === 0;
    });
    const lookups = jest.spyOn(t.app.get(CatalogsRepository), 'resolveControls');
    try {
      const res = await (await t.as('auditor')).get(`/compliance/records?entityId=${entityId}`).expect(200);
      const titles = Object.fromEntries(
        res.body.items.map((item: { controlId: string; controlTitle: string | null }) => [
          item.controlId,
          item.controlTitle,
        ]),
      );
      expect(titles).toEqual({ 'ac-2': 'Account Management', 'AC-3': 'Access Enforcement', 'CC6.1': null });
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });

  it('follows a catalog re-import at once, even for a cached record: a new title, or null once the control is gone', async () => {
    const record = await create({ framework: FRAMEWORK, controlId: 'ac-2' });
    const auditor = await t.as('auditor');
    await auditor.get(`/compliance/records/${record.id}`).expect(200);

    await importCatalog(
      editedBaseline((controls) => {
        controls.find((control) => control.id === 'ac-2')!.title = 'Account Management (edited)';
      }),
    );
    const renamed = await auditor.get(`/compliance/records/${record.id}`).expect(200);
    expect(renamed.body.controlTitle).toBe('Account Management (edited)');

    await importCatalog(
      editedBaseline((controls) => {
        controls.splice(
          controls.findIndex((control) => control.id === 'ac-2'),
          1,
        );
      }),
    );
    const gone = await auditor.get(`/compliance/records/${record.id}`).expect(200);
    expect(gone.body.controlTitle).toBeNull();
    const listed = await auditor.get(`/compliance/records?framework=${FRAMEWORK}&limit=200`).expect(200);
    const item = listed.body.items.find((i: { id: string }) => i.id === record.id);
    expect(item.controlTitle).toBeNull();
  });
});
