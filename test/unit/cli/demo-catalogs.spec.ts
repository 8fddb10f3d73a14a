import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { DEMO_CATALOGS, DEMO_MAPPINGS } from '../../../src/cli/demo-catalogs';
import { demoRecords } from '../../../src/cli/demo-data';
import { parseOscalCatalog } from '../../../src/modules/catalogs/oscal-catalog';

/** The official OSCAL schema is read from the shared folder, never copied into the repository. */
const SCHEMA = path.join(__dirname, '../../../../shared/oscal/oscal_catalog_schema.v1.0.6.json');

/** The schema is draft-07 with Unicode property escapes (`\p{L}`) and keywords ajv's strict mode refuses. */
function catalogValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
}

/** Each framework's controls by OSCAL id and by label, as records and mapping files may name them. */
const controlsOf = (framework: string) => {
  const byRef = new Map<string, string>();
  for (const control of parseOscalCatalog(DEMO_CATALOGS[framework]).controls) {
    byRef.set(control.controlId, control.title);
    if (control.label) byRef.set(control.label, control.title);
  }
  return byRef;
};

interface DemoMapping {
  from: { framework: string; control: string };
  to: { framework: string; control: string };
}

describe('the demo catalogs and mappings seed:demo imports', () => {
  const frameworks = Object.keys(DEMO_CATALOGS);

  const validate = catalogValidator();

  it.each(frameworks)('%s validates against the OSCAL 1.0.6 catalog schema', (framework) => {
    expect(validate(DEMO_CATALOGS[framework]) ? [] : validate.errors).toEqual([]);
    expect(validate({ catalog: { uuid: 'x', metadata: {} } })).toBe(false);
  });

  it.each(frameworks)('%s says in its metadata that it is illustrative, not the official text', (framework) => {
    const { catalog } = DEMO_CATALOGS[framework] as { catalog: { metadata: { title: string; remarks: string } } };
    expect(catalog.metadata.title).toMatch(/illustrative/i);
    expect(catalog.metadata.remarks).toMatch(
      /^Illustrative catalog written for the Compliance Kit demo; not the official text/,
    );
  });

  it('covers every control a demo record names, in every framework the records use', () => {
    const records = demoRecords(2_000, 42, new Date('2026-12-01T00:00:00Z'), 90);
    expect(new Set(records.map((r) => r.framework))).toEqual(new Set(frameworks));
    const missing = records.filter((r) => !controlsOf(r.framework).has(r.controlId));
    expect(missing.map((r) => `${r.framework}/${r.controlId}`)).toEqual([]);
  });

  it('puts demo records on controls about encryption, so a search for it finds records', () => {
    const records = demoRecords(500, 42, new Date('2026-12-01T00:00:00Z'), 90);
    const titles = records.map((r) => controlsOf(r.framework).get(r.controlId) ?? '');
    expect(titles.filter((title) => /encryption|cryptograph/i.test(title)).length).toBeGreaterThan(10);
  });

  it('maps only controls of the demo catalogs, under an illustrative source', () => {
    const { source, mappings } = DEMO_MAPPINGS as { source: string; mappings: DemoMapping[] };
    expect(source).toBe('compliance-kit-demo (illustrative)');
    expect(mappings.length).toBeGreaterThan(10);
    const unknown = mappings
      .flatMap((m) => [m.from, m.to])
      .filter((end) => !(end.framework in DEMO_CATALOGS) || !controlsOf(end.framework).has(end.control));
    expect(unknown).toEqual([]);
  });
});
