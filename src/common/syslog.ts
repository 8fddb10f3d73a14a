import { hostname } from 'node:os';

/** RFC 5424 severities this app emits. */
export const SYSLOG_SEVERITY = { critical: 2, warning: 4, notice: 5, informational: 6 } as const;
/** Facility 13: log audit. */
export const LOG_AUDIT_FACILITY = 13;
export const SYSLOG_APP_NAME = 'compliance-kit';

export interface SyslogFields {
  facility: number;
  severity: number;
  timestamp: Date;
  msgId: string;
  /** One SD-ELEMENT: its SD-ID and parameters, in order; none gives the NILVALUE `-`. */
  structuredData?: { id: string; params: [string, string | number][] };
  msg: string;
  host?: string;
}

/**
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG` of RFC 5424. Header fields
 * are PRINTUSASCII with a length cap, so a hostile action name cannot break the header apart.
 */
export function rfc5424Message(fields: SyslogFields): string {
  const header = [
    `<${fields.facility * 8 + fields.severity}>1`,
    fields.timestamp.toISOString(),
    headerField(fields.host ?? hostname(), 255),
    SYSLOG_APP_NAME,
    String(process.pid),
    headerField(fields.msgId, 32),
  ].join(' ');
  return `${header} ${structuredData(fields.structuredData)} ${fields.msg}`;
}

/** RFC 6587 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}

function headerField(value: string, max: number): string {
  const printable = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return printable || '-';
}

function structuredData(element: SyslogFields['structuredData']): string {
  if (!element) return '-';
  // PARAM-VALUE escapes `"`, `\` and `]` (RFC 5424 §6.3.3).
  const params = element.params.map(([name, value]) => ` ${name}="${String(value).replace(/["\\\]]/g, '\\$&')}"`);
  return `[${element.id}${params.join('')}]`;
}
