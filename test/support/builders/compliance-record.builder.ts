import { seededRandom } from '../../../src/common/seeded-random';
import { RECORD_STATUSES } from '../../../src/modules/compliance/records/record-status';

export interface RecordInput {
  entityId: string;
  framework: string;
  controlId: string;
  status: string;
  score: number;
  details?: unknown;
  assessedAt?: string;
}

let sequence = 0;

/** A valid record body; override any field. */
export function aRecord(overrides: Partial<RecordInput> = {}): RecordInput {
  sequence++;
  return {
    entityId: `org-${sequence % 7}`,
    framework: 'GDPR',
    controlId: `Art.32-${sequence}`,
    status: 'passed',
    score: 90,
    details: { reviewer: 'team-a' },
    assessedAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

/** `count` valid records with random framework, status, score and assessment time in [from, from + spanMs). */
export function randomRecords(count: number, seed: number, from: Date, spanMs: number): RecordInput[] {
  const random = seededRandom(seed);
  const frameworks = ['GDPR', 'SOC2', 'HIPAA', 'ISO27001', 'PCI-DSS'];
  return Array.from({ length: count }, () =>
    aRecord({
      framework: frameworks[Math.floor(random() * frameworks.length)],
      status: RECORD_STATUSES[Math.floor(random() * RECORD_STATUSES.length)],
      score: Math.round(random() * 10_000) / 100,
      assessedAt: new Date(from.getTime() + Math.floor(random() * spanMs)).toISOString(),
    }),
  );
}
