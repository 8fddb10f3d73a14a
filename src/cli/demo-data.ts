import { seededRandom } from '../common/seeded-random.js';
import type { CreateRecordDto } from '../modules/compliance/records/dto/create-record.dto.js';
import type { RecordStatus } from '../modules/compliance/records/record-status.js';

const DAY_MS = 86_400_000;

/** Labels of controls in the demo catalogs (`demo-catalogs.ts`), which records must name once they are imported. */
const CONTROLS: Record<string, string[]> = {
  GDPR: ['Art.5-1f', 'Art.25', 'Art.30', 'Art.32-1a', 'Art.32-1b', 'Art.33', 'Art.35'],
  SOC2: ['CC6.1', 'CC6.2', 'CC6.3', 'CC7.2', 'CC8.1', 'A1.2', 'C1.1'],
  HIPAA: ['164.308(a)(1)', '164.308(a)(5)', '164.312(a)(1)', '164.312(b)', '164.312(e)(1)'],
  ISO27001: ['A.5.15', 'A.5.23', 'A.8.5', 'A.8.8', 'A.8.15', 'A.8.24'],
  'PCI-DSS': ['1.2.1', '3.5.1', '6.4.2', '8.3.6', '10.2.1', '11.3.1'],
};
const ENTITIES = ['payments-api', 'crm', 'data-warehouse', 'hr-portal', 'mobile-app', 'billing', 'support-desk', 'iam'];
const REVIEWERS = ['security-team', 'internal-audit', 'platform', 'external-auditor'];

/** A status drawn with realistic weights: mostly passing, some failing, a few pending. */
function statusFor(random: () => number, quality: number): RecordStatus {
  const roll = random() - quality * 0.1;
  if (roll < 0.62) return 'passed';
  if (roll < 0.75) return 'warning';
  if (roll < 0.87) return 'failed';
  if (roll < 0.94) return 'pending';
  return 'not_applicable';
}

function scoreFor(status: RecordStatus, random: () => number): number {
  const [low, high] = {
    passed: [80, 100],
    warning: [55, 80],
    failed: [5, 55],
    pending: [0, 0],
    not_applicable: [0, 0],
  }[status];
  return Math.round((low + random() * (high - low)) * 100) / 100;
}

/** `count` assessments spread over the `days` before `now`, the same for the same seed and day. */
export function demoRecords(count: number, seed: number, now: Date, days: number): CreateRecordDto[] {
  const random = seededRandom(seed);
  const start = Math.floor(now.getTime() / DAY_MS) * DAY_MS - days * DAY_MS;
  const frameworks = Object.keys(CONTROLS);
  return Array.from({ length: count }, () => {
    const framework = frameworks[Math.floor(random() * frameworks.length)];
    const controls = CONTROLS[framework];
    const entity = ENTITIES[Math.floor(random() * ENTITIES.length)];
    const status = statusFor(random, ENTITIES.indexOf(entity) / ENTITIES.length);
    return {
      entityId: entity,
      framework,
      controlId: controls[Math.floor(random() * controls.length)],
      status,
      score: scoreFor(status, random),
      details: {
        reviewer: REVIEWERS[Math.floor(random() * REVIEWERS.length)],
        automated: random() < 0.7,
        checks: 1 + Math.floor(random() * 40),
      },
      assessedAt: new Date(start + Math.floor(random() * (now.getTime() - start))),
    };
  });
}
