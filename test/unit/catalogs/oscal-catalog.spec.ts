import { buildOscalCatalog, parseOscalCatalog } from '../../../src/modules/catalogs/oscal-catalog';
import { ValidationProblem } from '../../../src/common/problem';

const UUID = '74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724';

/** A tiny hand-written catalog: one family, a control with an enhancement, a top-level control. */
function aCatalog() {
  return {
    catalog: {
      uuid: UUID,
      metadata: {
        title: 'Example catalog',
        version: '1.0',
        'oscal-version': '1.0.6',
        'last-modified': '2026-01-01T00:00:00Z',
      },
      groups: [
        {
          id: 'ex',
          class: 'family',
          title: 'Examples',
          controls: [
            {
              id: 'ex-1',
              class: 'demo',
              title: 'Encrypt data at rest',
              props: [{ name: 'label', value: 'EX-1' }],
              links: [
                { href: '#ex-2', rel: 'related' },
                { href: '#elsewhere-9', rel: 'related' },
                { href: '#ex-1.1', rel: 'incorporated-into' },
              ],
              parts: [
                {
                  id: 'ex-1_smt',
                  name: 'statement',
                  parts: [
                    { id: 'ex-1_smt.a', name: 'item', props: [{ name: 'label', value: 'a.' }], prose: 'Encrypt.' },
                  ],
                },
                { id: 'ex-1_gdn', name: 'guidance', prose: 'Use AES.' },
              ],
              controls: [{ id: 'ex-1.1', title: 'Key rotation', props: [{ name: 'label', value: 'EX-1(1)' }] }],
            },
          ],
        },
      ],
      controls: [{ id: 'ex-2', title: 'Top-level control' }],
    },
  };
}

const fieldsOf = (work: () => unknown): string[] => {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationProblem) return error.errors.map((e) => e.field);
    throw error;
  }
  return [];
};

describe('OSCAL catalog parsing', () => {
  it('reads controls depth-first with parent, family, label and plain statement and guidance text', () => {
    const { controls, related, header } = parseOscalCatalog(aCatalog());
    expect(controls.map((c) => [c.controlId, c.parentControlId, c.groupId, c.sortOrder])).toEqual([
      ['ex-1', null, 'ex', 0],
      ['ex-1.1', 'ex-1', 'ex', 1],
      ['ex-2', null, null, 2],
    ]);
    expect(controls[0]).toMatchObject({ label: 'EX-1', statement: 'a. Encrypt.', guidance: 'Use AES.' });
    expect(controls[0].oscal).not.toHaveProperty('controls');
    expect(header).toMatchObject({ uuid: UUID, title: 'Example catalog', version: '1.0', oscalVersion: '1.0.6' });
    expect(header.groups).toEqual([{ id: 'ex', class: 'family', title: 'Examples' }]);
    expect(related).toEqual([
      { source: 'ex-1', target: 'ex-2' },
      { source: 'ex-1', target: 'elsewhere-9' },
    ]);
  });

  it('builds the same document back from what it stored', () => {
    const parsed = parseOscalCatalog(aCatalog());
    const stored = parsed.controls.map(({ controlId, parentControlId, groupId, title, oscal }) => ({
      controlId,
      parentControlId,
      groupId,
      title,
      oscal,
    }));
    expect(buildOscalCatalog(parsed.header, stored)).toEqual(aCatalog());
  });

  it('names every defect by its JSON path, and refuses duplicates, nested groups and empty catalogs', () => {
    const bad = aCatalog() as { catalog: Record<string, unknown> };
    const group = (bad.catalog.groups as Record<string, unknown>[])[0];
    group.groups = [];
    (group.controls as Record<string, unknown>[]).push({ id: 'ex-2', title: 'again' }, { id: 'with space', title: '' });
    bad.catalog.uuid = 'nope';
    expect(fieldsOf(() => parseOscalCatalog(bad))).toEqual([
      'catalog.uuid',
      'catalog.groups.0.groups',
      'catalog.groups.0.controls.2.id',
      'catalog.groups.0.controls.2.title',
      'catalog.controls.0.id',
    ]);
    expect(fieldsOf(() => parseOscalCatalog({ catalog: { uuid: UUID, metadata: { title: 't' } } }))).toEqual([
      'catalog',
    ]);
    expect(fieldsOf(() => parseOscalCatalog([]))).toEqual(['catalog']);
    expect(
      fieldsOf(() => parseOscalCatalog({ catalog: { uuid: UUID, metadata: { title: 't' }, groups: {} } })),
    ).toEqual(['catalog.groups', 'catalog']);
  });
});
