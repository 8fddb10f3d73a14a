import { Injectable } from '@nestjs/common';
import type { AuditSeverity } from '../audit/audit-event.js';
import { AuditReader } from '../audit/audit-reader.js';
import { type DetectorName, DETECTORS, signalAction } from './security-signal.js';
import { SecuritySignalDto } from './dto/security-signal.dto.js';

export interface SignalFilter {
  detector?: DetectorName;
  severity?: AuditSeverity;
  since?: Date;
}

/**
 * Recent signals, read from the audit trail (which decrypts what it sealed). The trail filters by
 * exact action, so without a detector each detector's newest are read (one indexed query each, on
 * `(action, occurred_at)`) and merged.
 */
@Injectable()
export class SecuritySignalsReader {
  constructor(private readonly trail: AuditReader) {}

  async recent(filter: SignalFilter, limit: number): Promise<SecuritySignalDto[]> {
    const detectors = filter.detector ? [filter.detector] : DETECTORS;
    const pages = await Promise.all(
      detectors.map((detector) =>
        this.trail.list({ action: signalAction(detector), severity: filter.severity, from: filter.since }, limit),
      ),
    );
    return pages
      .flatMap((page) => page.items)
      .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.id.localeCompare(a.id))
      .slice(0, limit)
      .map(SecuritySignalDto.from);
  }
}
