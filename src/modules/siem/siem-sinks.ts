import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { AppConfig, SiemSettings } from '../../config/app-config.js';
import { ConfigurationError } from '../../config/environment.js';
import { HttpSink } from './http-sink.js';
import type { SiemSink } from './siem-sink.js';
import { SyslogConnection, type SyslogTarget } from './syslog/syslog-connection.js';
import { SyslogSink } from './syslog/syslog-sink.js';

/** One sink per configured URL; none configured, none built (and no consumer registered). */
export function createSiemSinks(config: AppConfig): SiemSink[] {
  const { syslog, http, timeoutMs } = config.siem;
  const sinks: SiemSink[] = [];
  if (syslog) sinks.push(new SyslogSink(new SyslogConnection(syslogTarget(syslog), timeoutMs), syslog.facility));
  if (http) sinks.push(new HttpSink(http.url, http.token, timeoutMs));
  return sinks;
}

function syslogTarget(syslog: NonNullable<SiemSettings['syslog']>): SyslogTarget {
  const url = new URL(syslog.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const target: SyslogTarget = { host, port: Number(url.port) };
  if (url.protocol !== 'tls:') return target;
  // Without a servername Node checks the certificate against `host`; SNI may not name an IP address.
  const servername = syslog.servername ?? (isIP(host) ? undefined : host);
  return {
    ...target,
    tls: {
      ca: syslog.caFile ? readCa(syslog.caFile) : undefined,
      servername,
      rejectUnauthorized: syslog.rejectUnauthorized,
    },
  };
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigurationError(
      `Invalid configuration: SIEM_SYSLOG_CA_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}
