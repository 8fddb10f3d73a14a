import type { AuditSnapshot } from '../audit/audit-outbox-event.js';

/**
 * A receiver of audit events. `ship` resolves once the batch is handed over (what that means is the
 * sink's to say), and throws `DeliveryUnavailable` when the receiver cannot take it right now.
 */
export interface SiemSink {
  /** `syslog` or `http`: the metrics label, and the consumer's name after `siem-`. */
  readonly name: string;
  ship(events: AuditSnapshot[]): Promise<void>;
  close(): Promise<void>;
}

export const SIEM_SINKS = Symbol('SIEM_SINKS');
