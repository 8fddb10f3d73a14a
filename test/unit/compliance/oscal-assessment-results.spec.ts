import { uuidV5 } from '../../../src/modules/compliance/assessment-results/uuid-v5';
import {
  type AssessedRecord,
  type AssessmentResultsInput,
  buildOscalAssessmentResults,
  controlToken,
  type OscalFinding,
  type OscalObservation,
} from '../../../src/modules/compliance/assessment-results/oscal-assessment-results';

const TOKEN = /^[\p{L}_][\p{L}\p{N}._-]*$/u;

let sequence = 0;
function aRecord(overrides: Partial<AssessedRecord> = {}): AssessedRecord {
  sequence++;
  return {
    id: `0193a000-0000-7000-8000-${String(sequence).padStart(12, '0')}`,
    entityId: 'org-1',
    controlId: 'CC6.1',
    status: 'passed',
    score: 90,
    assessedAt: new Date(Date.UTC(2026, 10, 1, 0, sequence)),
    version: 1,
    ...overrides,
  };
}

function build(records: AssessedRecord[], overrides: Partial<AssessmentResultsInput> = {}) {
  const document = buildOscalAssessmentResults({
    framework: 'SOC2',
    frameworkName: 'SOC 2',
    records,
    controls: new Map(),
    catalog: false,
    documentUuid: '9a3c2c5e-0f43-4b4e-9d33-7c6c2f1a8b10',
    generatedAt: new Date('2026-12-01T00:00:00Z'),
    ...overrides,
  });
  const [result] = document['assessment-results'].results as {
    observations?: OscalObservation[];
    findings?: OscalFinding[];
  }[];
  return { document, result, findings: result.findings ?? [] };
}

describe('uuidV5', () => {
  it('gives the RFC 9562 example for www.example.com in the DNS namespace', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
});

describe('controlToken', () => {
  it('keeps a token without underscores as it is', () => {
    expect(controlToken('CC6.1')).toBe('CC6.1');
    expect(controlToken('Art.32-1')).toBe('Art.32-1');
  });

  it('escapes what a token may not hold, and underscores, one-to-one', () => {
    const ids = ['164.312(a)(1)', 'A.5 1', 'A_5', 'A_5f_', '_', '1', 'Ä(1)', '-x', 'a\nb', ' x '];
    const tokens = ids.map(controlToken);
    for (const token of tokens) expect(token).toMatch(TOKEN);
    expect(new Set(tokens).size).toBe(ids.length);
    expect(controlToken('164.312(a)')).toBe('_31_64.312_28_a_29_');
  });
});

describe('buildOscalAssessmentResults', () => {
  it('decides a finding by the latest record of each entity', () => {
    const { findings } = build([
      aRecord({ entityId: 'org-1', status: 'failed' }),
      aRecord({ entityId: 'org-1', status: 'passed' }),
      aRecord({ entityId: 'org-2', status: 'passed' }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0].target.status.state).toBe('satisfied');
    expect(findings[0]['related-observations']).toHaveLength(2);
  });

  it('is not satisfied when any entity fails or warns, and has no finding when nothing was decided', () => {
    const { findings } = build([
      aRecord({ controlId: 'CC1.1', entityId: 'org-1', status: 'passed' }),
      aRecord({ controlId: 'CC1.1', entityId: 'org-2', status: 'warning' }),
      aRecord({ controlId: 'CC2.1', status: 'not_applicable' }),
      aRecord({ controlId: 'CC3.1', status: 'pending' }),
    ]);
    expect(findings.map((finding) => [finding.target['target-id'], finding.target.status.state])).toEqual([
      ['CC1.1', 'not-satisfied'],
    ]);
  });

  it('names observations the same in every export, and the document afresh', () => {
    const records = [aRecord()];
    const first = build(records);
    const second = build(records, { documentUuid: '1f0e6a57-2b1c-4d7e-8f9a-0b1c2d3e4f50' });
    expect(second.result.observations?.[0].uuid).toBe(first.result.observations?.[0].uuid);
    expect(second.document['assessment-results'].uuid).not.toBe(first.document['assessment-results'].uuid);
  });

  it("targets a catalog control's assessment objective and shows its title", () => {
    const control = { controlId: 'ac-2', label: 'AC-2', title: 'Account Management', objectiveId: 'ac-2_obj' };
    const { findings } = build([aRecord({ controlId: 'AC-2', status: 'failed' })], {
      controls: new Map([['AC-2', control]]),
      catalog: true,
    });
    expect(findings[0]).toMatchObject({
      title: 'AC-2 Account Management',
      target: { type: 'objective-id', 'target-id': 'ac-2_obj', title: 'Account Management' },
    });
  });
});
