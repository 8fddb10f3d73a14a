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

/** A tiny deterministic PRNG (mulberry32), so "random" test data is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
