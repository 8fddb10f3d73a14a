import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';

/** NIST's schema, example and baselines are read from the shared folder, never copied into the repository. */
const OSCAL = path.join(__dirname, '../../../../shared/oscal');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(OSCAL, file), 'utf8')) as Record<string, unknown>;
const LOW = 'NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog-min.json';
const FRAMEWORK = 'NIST-800-53-LOW';
const NOTES = 'Interviewed Erika Mustermann, +49 170 1234567';
const DETAILS = 'reviewer-jane-doe-4711';

/** The OSCAL schemas are draft-07 with Unicode property escapes (`\p{L}`) and keywords ajv's strict mode refuses. */
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(readJson('oscal_assessment-results_schema.v1.0.6.json'));
const errorsOf = (document: unknown) => (validate(document) ? [] : validate.errors);

interface Observation {
  uuid: string;
  props: { name: string; value: string }[];
  collected: string;
}
interface Finding {
  title: string;
  target: { type: string; 'target-id': string; title?: string; status: { state: string } };
  'related-observations': { 'observation-uuid': string }[];
}
interface Result {
  start: string;
  end: string;
  'reviewed-controls': { 'control-selections': { 'include-controls'?: { 'control-id': string }[] }[] };
  observations?: Observation[];
  findings?: Finding[];
}

const resultOf = (body: { 'assessment-results': { results: Result[] } }) => body['assessment-results'].results[0];
const prop = (observation: Observation, name: string) => observation.props.find((p) => p.name === name)?.value;

describe('GET /compliance/assessment-results (OSCAL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    const admin = await t.as('admin');
    await admin.post(`/catalogs/import?framework=${FRAMEWORK}`).send(readJson(LOW)).expect(200);
    const analyst = await t.as('analyst');
    const record = (entityId: string, controlId: string, status: string, assessedAt: string) =>
      aRecord({ framework: FRAMEWORK, entityId, controlId, status, assessedAt, details: { reviewer: DETAILS } });
    await analyst
      .post('/compliance/records/bulk')
      .send({
        records: [
          // AC-2: org-a's latest passed, org-b's latest failed → not satisfied.
          { ...record('org-a', 'AC-2', 'failed', '2026-11-01T08:00:00Z'), evidenceNotes: NOTES },
          record('org-a', 'ac-2', 'passed', '2026-11-02T08:00:00Z'),
          record('org-b', 'ac-2', 'failed', '2026-11-03T08:00:00Z'),
          // IA-2(1) passed by its label: satisfied.
          record('org-a', 'IA-2(1)', 'passed', '2026-11-04T08:00:00Z'),
          // Nothing decided for AC-1: observations, no finding.
          record('org-a', 'ac-1', 'not_applicable', '2026-11-05T08:00:00Z'),
          record('org-b', 'ac-1', 'pending', '2026-11-06T08:00:00Z'),
        ],
      })
      .expect(201);
  });
  afterAll(() => t.close());

  it("validates NIST's example and refuses a broken copy of it (the validator works)", () => {
    const example = readJson('ifa_assessment-results-example.json');
    expect(errorsOf(example)).toEqual([]);
    const broken = structuredClone(example) as { 'assessment-results': Record<string, unknown> };
    delete broken['assessment-results']['import-ap'];
    expect(errorsOf(broken)).not.toEqual([]);
  });

  it('exports every record as an observation and a finding per decided control, valid against OSCAL 1.0.6', async () => {
    const auditor = await t.as('auditor');
    const res = await auditor.get('/compliance/assessment-results?framework=nist-800-53-low').expect(200);
    expect(errorsOf(res.body)).toEqual([]);
    const document = res.body['assessment-results'];
    expect(document.metadata['oscal-version']).toBe('1.0.6');
    expect(document['import-ap'].href).toBe('#');
    const result = resultOf(res.body);
    expect(result.start).toBe('2026-11-01T08:00:00.000Z');
    expect(result.end).toBe('2026-11-06T08:00:00.000Z');
    expect(result['reviewed-controls']['control-selections'][0]['include-controls']).toEqual([
      { 'control-id': 'ac-1' },
      { 'control-id': 'ac-2' },
      { 'control-id': 'ia-2.1' },
    ]);
    expect(result.observations).toHaveLength(6);
    expect(result.observations?.map((o) => prop(o, 'control-id'))).toEqual([
      'ac-1',
      'ac-1',
      'ac-2',
      'ac-2',
      'ac-2',
      'ia-2.1',
    ]);

    const findings = new Map(result.findings?.map((finding) => [finding.target['target-id'], finding]));
    expect([...findings.keys()]).toEqual(['ac-2_obj', 'ia-2.1_obj']);
    expect(findings.get('ac-2_obj')).toMatchObject({
      title: 'AC-2 Account Management',
      target: { type: 'objective-id', title: 'Account Management', status: { state: 'not-satisfied' } },
    });
    expect(findings.get('ia-2.1_obj')?.target.status.state).toBe('satisfied');
    // The finding rests on each entity's latest record; the older one of org-a is an observation only.
    const related = findings.get('ac-2_obj')?.['related-observations'].map((r) => r['observation-uuid']);
    const latest = result.observations
      ?.filter((o) => prop(o, 'control-id') === 'ac-2' && o.collected > '2026-11-01T08:00:00.000Z')
      .map((o) => o.uuid);
    expect(related).toEqual(latest);
  });

  it('never carries evidence notes or details', async () => {
    const analyst = await t.as('analyst');
    const res = await analyst.get(`/compliance/assessment-results?framework=${FRAMEWORK}`).expect(200);
    expect(res.text).not.toContain('Mustermann');
    expect(res.text).not.toContain(DETAILS);
  });

  it('narrows to one entity and a time window, naming observations the same as in the whole export', async () => {
    const analyst = await t.as('analyst');
    const all = resultOf((await analyst.get(`/compliance/assessment-results?framework=${FRAMEWORK}`)).body);
    const res = await analyst
      .get(`/compliance/assessment-results`)
      .query({ framework: FRAMEWORK, entityId: 'org-b', assessedFrom: '2026-11-03T08:00:00Z' })
      .expect(200);
    expect(errorsOf(res.body)).toEqual([]);
    const result = resultOf(res.body);
    expect(result.observations?.map((o) => prop(o, 'control-id'))).toEqual(['ac-1', 'ac-2']);
    const uuids = new Set(all.observations?.map((o) => o.uuid));
    for (const observation of result.observations ?? []) expect(uuids.has(observation.uuid)).toBe(true);
    expect(result.findings?.map((f) => [f.target['target-id'], f.target.status.state])).toEqual([
      ['ac-2_obj', 'not-satisfied'],
    ]);
  });

  it('exports a framework without a catalog with its control ids as OSCAL tokens', async () => {
    const analyst = await t.as('analyst');
    await analyst
      .post('/compliance/records/bulk')
      .send({
        records: [
          aRecord({ framework: 'HIPAA', controlId: '164.312(a)(1)', status: 'warning' }),
          aRecord({ framework: 'HIPAA', controlId: 'Access-Control', status: 'passed' }),
          // OSCAL dates stop at 1900: this one stays out.
          aRecord({ framework: 'HIPAA', controlId: 'Audit', assessedAt: '1850-01-01T00:00:00Z' }),
        ],
      })
      .expect(201);
    const res = await analyst.get('/compliance/assessment-results?framework=HIPAA').expect(200);
    expect(errorsOf(res.body)).toEqual([]);
    const result = resultOf(res.body);
    expect(result.observations).toHaveLength(2);
    expect(result.findings?.map((f) => [f.title, f.target['target-id'], f.target.status.state])).toEqual([
      ['Control 164.312(a)(1)', '_31_64.312_28_a_29__28_1_29_', 'not-satisfied'],
      ['Control Access-Control', 'Access-Control', 'satisfied'],
    ]);
  });

  it('exports a framework without records as an empty, valid result', async () => {
    const auditor = await t.as('auditor');
    const res = await auditor.get('/compliance/assessment-results?framework=PCI-DSS').expect(200);
    expect(errorsOf(res.body)).toEqual([]);
    expect(resultOf(res.body).observations).toBeUndefined();
  });

  it('answers 400 without a framework or with a bad window, 404 for an unknown one, 403 to other roles', async () => {
    const analyst = await t.as('analyst');
    const missing = await analyst.get('/compliance/assessment-results').expect(400);
    expect(missing.body.type).toBe('/problems/validation');
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['framework']);
    await analyst.get('/compliance/assessment-results?framework=not%20a%20code').expect(400);
    const window = await analyst
      .get('/compliance/assessment-results')
      .query({ framework: 'GDPR', assessedFrom: '2026-11-02T00:00:00Z', assessedTo: '2026-11-01T00:00:00Z' })
      .expect(400);
    expect(window.body.errors.map((e: { field: string }) => e.field)).toEqual(['assessedTo']);
    const unknown = await analyst.get('/compliance/assessment-results?framework=NOPE').expect(404);
    expect(unknown.body.type).toBe('/problems/not-found');
    const service = await t.as('service');
    await service.get('/compliance/assessment-results?framework=GDPR').expect(403);
  });

  it('refuses more than 10,000 records with a 400 asking to narrow the export', async () => {
    await t.db.query(
      `INSERT INTO compliance_records (entity_id, framework, control_id, status, score, assessed_at)
       SELECT 'org-bulk', 'ISO27001', 'A.5.' || (n % 37), 'passed', 90, '2026-11-01T00:00:00Z'::timestamptz + n * interval '1 second'
         FROM generate_series(1, 10001) AS n`,
    );
    const analyst = await t.as('analyst');
    const res = await analyst.get('/compliance/assessment-results?framework=ISO27001').expect(400);
    expect(res.body.type).toBe('/problems/validation');
    expect(res.body.errors).toEqual([{ field: 'query', messages: [expect.stringContaining('10,000 records')] }]);
    const narrowed = await analyst
      .get('/compliance/assessment-results')
      .query({ framework: 'ISO27001', assessedTo: '2026-11-01T02:00:00Z' })
      .expect(200);
    expect(resultOf(narrowed.body).observations).toHaveLength(7199);
    expect(errorsOf(narrowed.body)).toEqual([]);
  });
});
