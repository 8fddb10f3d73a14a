import { randomUUID } from 'node:crypto';
import { seededRandom } from '../../../src/common/seeded-random';
import type { ComplianceEventRow } from '../../../src/modules/compliance/analytics/compliance-events.repository';
import { RECORD_STATUSES } from '../../../src/modules/compliance/records/record-status';

/** `count` events with ids from `firstId`, random framework, status, score and time in [from, from + spanMs). */
export function randomEvents(
  count: number,
  seed: number,
  from: Date,
  spanMs: number,
  firstId = 1,
): ComplianceEventRow[] {
  const random = seededRandom(seed);
  const frameworks = ['GDPR', 'SOC2', 'HIPAA', 'ISO27001', 'PCI-DSS'];
  return Array.from({ length: count }, (_, i) => ({
    sourceEventId: String(firstId + i),
    recordId: randomUUID(),
    framework: frameworks[Math.floor(random() * frameworks.length)],
    status: RECORD_STATUSES[Math.floor(random() * RECORD_STATUSES.length)],
    score: Math.round(random() * 10_000) / 100,
    occurredAt: new Date(from.getTime() + Math.floor(random() * spanMs)).toISOString(),
  }));
}
