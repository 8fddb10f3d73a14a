import { octetCounted } from '../../../common/syslog.js';
import type { AuditSnapshot } from '../../audit/audit-outbox-event.js';
import type { SiemSink } from '../siem-sink.js';
import type { SyslogConnection } from './syslog-connection.js';
import { siemSyslogMessage } from './siem-syslog-message.js';

/** A batch is one write of octet-counted RFC 5424 messages (RFC 6587), in the order handed over. */
export class SyslogSink implements SiemSink {
  readonly name = 'syslog';

  constructor(
    private readonly connection: SyslogConnection,
    private readonly facility: number,
  ) {}

  ship(events: AuditSnapshot[]): Promise<void> {
    return this.connection.write(
      Buffer.concat(events.map((event) => octetCounted(siemSyslogMessage(event, this.facility)))),
    );
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
