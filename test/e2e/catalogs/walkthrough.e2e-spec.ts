import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';

/** NIST's baseline and the OSCAL schema are read from the shared folder, never copied into the repository. */
const OSCAL = path.join(__dirname, '../../../../shared/oscal');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(OSCAL, file), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validAssessmentResults = ajv.compile(readJson('oscal_assessment-results_schema.v1.0.6.json'));

const NIST = 'NIST-800-53-LOW';
const ISO = 'WALK-ISO';
const ENTITY = 'walk-org';

/** An illustrative two-control catalog standing in for another framework. */
const isoCatalog = {
  catalog: {
    uuid: randomUUID(),
    metadata: {
      title: 'ISO 27001 (illustrative)',
      'last-modified': '2026-12-01T00:00:00Z',
      version: '1',
      'oscal-version': '1.0.6',
    },
    groups: [
      {
        id: 'a8',
        title: 'Technological controls',
        controls: [
          { id: 'a-8-24', title: 'Use of cryptography' },
          { id: 'a-5-15', title: 'Access control' },
        ],
      },
    ],
  },
};

describe('walkthrough: catalog → mappings → records → coverage → OSCAL assessment results', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  type Coverage = {
    summary: { controls: number; covered: number; partial: number; notCovered: number };
    controls: {
      control: string;
      coverage: string;
      reason?: string;
      evidence: { record: { framework: string; control: string }; relationship: string; path: unknown[] }[];
    }[];
  };

  it('answers what a passed ISO control covers in NIST SP 800-53 LOW, and why, and exports it as OSCAL', async () => {
    const admin = await t.as('admin');
    await admin
      .post(`/catalogs/import?framework=${NIST}`)
      .send(readJson('NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog-min.json'))
      .expect(200);
    await admin.post(`/catalogs/import?framework=${ISO}`).send(isoCatalog).expect(200);

    const csv = [
      'from_framework,from_control,relationship,to_framework,to_control,strength,rationale',
      `${ISO},a-8-24,equivalent,${NIST},sc-13,9,"Both require approved cryptography"`,
      `${ISO},a-5-15,superset-of,${NIST},ac-3,8,`,
      `${ISO},a-5-15,intersects-with,${NIST},ia-2,4,"Access control touches authentication"`,
    ].join('\r\n');
    const imported = await admin
      .post('/catalogs/mappings/import?source=walkthrough')
      .set('content-type', 'text/csv')
      .send(csv)
      .expect(200);
    expect(imported.body).toMatchObject({ mappings: 3, inserted: 3 });

    const analyst = await t.as('analyst');
    for (const [framework, controlId, status] of [
      [ISO, 'a-8-24', 'passed'],
      [ISO, 'a-5-15', 'passed'],
      [NIST, 'AC-2', 'failed'],
    ]) {
      await analyst
        .post('/compliance/records')
        .send(aRecord({ entityId: ENTITY, framework, controlId, status }))
        .expect(201);
    }

    const auditor = await t.as('auditor');
    const coverage = (await auditor.get(`/catalogs/${NIST}/coverage?entityId=${ENTITY}&depth=2`).expect(200))
      .body as Coverage;
    const of = (control: string) => coverage.controls.find((c) => c.control === control);
    expect(of('sc-13')).toMatchObject({
      coverage: 'covered',
      evidence: [{ record: { framework: ISO, control: 'a-8-24' }, relationship: 'equivalent' }],
    });
    expect(of('sc-13')?.evidence[0].path).toHaveLength(1);
    expect(of('ac-3')).toMatchObject({ coverage: 'covered', evidence: [{ relationship: 'superset-of' }] });
    expect(of('ia-2')).toMatchObject({ coverage: 'partial', evidence: [{ relationship: 'intersects-with' }] });
    expect(of('ac-2')?.coverage).toBe('not-covered');
    expect(of('ac-2')?.reason).toMatch(/failed/);
    expect(coverage.summary).toMatchObject({ covered: 2, partial: 1 });
    expect(coverage.summary.notCovered).toBe(coverage.summary.controls - 3);

    const remaining = (
      await auditor.get(`/catalogs/${NIST}/coverage?entityId=${ENTITY}&status=not-covered`).expect(200)
    ).body as Coverage;
    expect(remaining.controls.map((c) => c.control)).not.toContain('sc-13');
    expect(remaining.controls.map((c) => c.control)).toContain('ac-2');

    for (const framework of [ISO, NIST]) {
      const exported = await auditor
        .get(`/compliance/assessment-results?framework=${framework}&entityId=${ENTITY}`)
        .expect(200);
      expect(validAssessmentResults(exported.body)).toBe(true);
      const [result] = exported.body['assessment-results'].results as {
        findings: { target: { 'target-id': string; status: { state: string } } }[];
      }[];
      const states = Object.fromEntries(result.findings.map((f) => [f.target['target-id'], f.target.status.state]));
      if (framework === ISO) expect(states).toEqual({ 'a-8-24': 'satisfied', 'a-5-15': 'satisfied' });
      else expect(Object.values(states)).toEqual(['not-satisfied']);
    }
  });
});
