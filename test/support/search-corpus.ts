import { seededRandom } from '../../src/common/seeded-random.js';
import type { SearchDocument } from '../../src/infrastructure/search/search-document.js';
import { complianceDocument, ComplianceRecordFacts } from '../../src/infrastructure/search/search-documents.js';

const CONTROLS: Record<string, [string, string][]> = {
  SOC2: [
    ['CC6.1', 'Logical access security software and infrastructure'],
    ['CC6.2', 'User registration and authorization before access is granted'],
    ['CC6.3', 'Role-based access removal on termination'],
    ['CC6.6', 'Boundary protection against external threats'],
    ['CC6.7', 'Encryption of data in transmission'],
    ['CC6.8', 'Malware prevention and detection'],
    ['CC7.2', 'Security event monitoring and anomaly detection'],
    ['CC8.1', 'Change management authorization and testing'],
  ],
  ISO27001: [
    ['A.5.15', 'Access control policy'],
    ['A.5.23', 'Information security for cloud services'],
    ['A.8.5', 'Secure authentication'],
    ['A.8.13', 'Information backup'],
    ['A.8.24', 'Use of cryptography'],
  ],
  GDPR: [
    ['ART-5', 'Principles relating to processing of personal data'],
    ['ART-17', 'Right to erasure of personal data'],
    ['ART-30', 'Records of processing activities'],
    ['ART-32', 'Security of processing and encryption'],
    ['ART-33', 'Notification of a personal data breach'],
  ],
  HIPAA: [
    ['164.308', 'Administrative safeguards and workforce training'],
    ['164.312', 'Technical safeguards: access control and audit controls'],
    ['164.316', 'Policies, procedures and documentation'],
  ],
  'PCI-DSS': [
    ['REQ-3.5', 'Protect stored cardholder data with strong cryptography'],
    ['REQ-8.3', 'Multi-factor authentication for administrative access'],
    ['REQ-10.2', 'Audit logs for all access to cardholder data'],
  ],
};

const STATUSES = ['passed', 'passed', 'passed', 'failed', 'warning', 'not_applicable', 'pending'];
const FINDINGS = {
  passed: ['Control operating effectively', 'Evidence reviewed and accepted', 'No exceptions noted in sample'],
  failed: ['Quarterly access review missed', 'Encryption key rotation overdue', 'Backup restore test failed'],
  warning: ['Evidence partially complete', 'Remediation in progress with owner assigned', 'Minor exceptions noted'],
  not_applicable: ['Control scoped out for this entity'],
  pending: ['Assessment scheduled with the control owner', 'Awaiting evidence upload'],
} as Record<string, string[]>;
const SYSTEMS = ['payroll service', 'customer portal', 'data warehouse', 'identity provider', 'billing API', 'CRM'];

/** Compliance record facts as the compliance module would hand them to the indexer, one at a time. */
export function* complianceFactsStream(seed: number, size: number): Generator<ComplianceRecordFacts> {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const frameworks = Object.keys(CONTROLS);
  const entities = Array.from({ length: 40 }, (_, i) => `entity-${String(i + 1).padStart(3, '0')}`);
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < size; i++) {
    const framework = pick(frameworks);
    const [controlId, controlTitle] = pick(CONTROLS[framework]);
    const status = pick(STATUSES);
    yield {
      id: `rec-${seed}-${String(i).padStart(7, '0')}`,
      version: 1,
      entityId: pick(entities),
      framework,
      controlId,
      controlTitle,
      status,
      score: status === 'passed' ? 80 + Math.floor(random() * 21) : Math.floor(random() * 80),
      summary: `${pick(FINDINGS[status])} for the ${pick(SYSTEMS)}.`,
      assessedAt: new Date(start + Math.floor(random() * 300) * 86_400_000),
    };
  }
}

export function complianceRecordFacts(seed: number, size: number): ComplianceRecordFacts[] {
  return [...complianceFactsStream(seed, size)];
}

/** The same corpus as `complianceCorpus`, in batches, without holding it all in memory. */
export function* complianceCorpusBatches(seed: number, size: number, batchSize: number): Generator<SearchDocument[]> {
  let batch: SearchDocument[] = [];
  for (const facts of complianceFactsStream(seed, size)) {
    batch.push(complianceDocument(facts));
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** A deterministic corpus of realistic compliance documents. */
export function complianceCorpus(seed: number, size: number): SearchDocument[] {
  return complianceRecordFacts(seed, size).map(complianceDocument);
}

/** Builds one hand-made compliance document for a test, with defaults for what it does not care about. */
export function aComplianceDocument(overrides: Partial<SearchDocument> = {}): SearchDocument {
  return {
    index: 'compliance',
    id: `doc-${Math.random().toString(36).slice(2, 10)}`,
    version: 1,
    title: 'Untitled control',
    body: 'Nothing notable.',
    keywords: { framework: 'SOC2', status: 'passed', entityId: 'entity-900' },
    occurredAt: '2026-03-01T00:00:00.000Z',
    ...overrides,
  };
}
