import { rfc5424Message, SYSLOG_SEVERITY } from '../../../common/syslog.js';
import type { AuditSnapshot } from '../../audit/audit-outbox-event.js';

/**
 * SD-ID of the structured data. 32473 is the enterprise number RFC 5612 reserves for documentation:
 * the app has none of its own, and receivers treat the SD-ID as an opaque name.
 */
export const SIEM_SD_ID = 'audit@32473';

const SEVERITY: Record<string, number> = {
  info: SYSLOG_SEVERITY.informational,
  warning: SYSLOG_SEVERITY.warning,
  critical: SYSLOG_SEVERITY.critical,
};

/**
 * One RFC 5424 message per audit event: its time, MSGID the action, the severity mapped to
 * syslog's, `[audit@32473 eventId shard seq]` for receivers that dedupe and check order without
 * parsing MSG, and the snapshot's JSON as MSG.
 */
export function siemSyslogMessage(event: AuditSnapshot, facility: number, host?: string): string {
  return rfc5424Message({
    facility,
    severity: SEVERITY[event.severity] ?? SYSLOG_SEVERITY.notice,
    timestamp: new Date(event.occurredAt),
    msgId: event.action,
    structuredData: {
      id: SIEM_SD_ID,
      params: [
        ['eventId', event.id],
        ['shard', event.shard],
        ['seq', event.seq],
      ],
    },
    msg: JSON.stringify(event),
    host,
  });
}
