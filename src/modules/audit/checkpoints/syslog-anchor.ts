import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { LOG_AUDIT_FACILITY, octetCounted, rfc5424Message, SYSLOG_SEVERITY } from '../../../common/syslog.js';
import type { Checkpoint } from './audit-checkpoints.js';
import { anchoredCheckpoint, type CheckpointAnchor } from './anchored-checkpoint.js';

const TIMEOUT_MS = 5_000;

/** One RFC 5424 message per checkpoint (log audit, informational), its JSON as the MSG part. */
export function syslogMessage(database: string, checkpoint: Checkpoint, host?: string): string {
  return rfc5424Message({
    facility: LOG_AUDIT_FACILITY,
    severity: SYSLOG_SEVERITY.informational,
    timestamp: checkpoint.createdAt,
    msgId: 'audit.checkpoint',
    msg: JSON.stringify(anchoredCheckpoint(database, checkpoint)),
    host,
  });
}

/**
 * Sends each checkpoint to a syslog receiver (`udp://host:port`: one datagram; `tcp://host:port`:
 * octet-counted framing of RFC 6587, one connection per checkpoint).
 */
export class SyslogAnchor implements CheckpointAnchor {
  readonly sink = 'syslog';
  private readonly protocol: 'udp' | 'tcp';
  private readonly host: string;
  private readonly port: number;

  constructor(
    target: string,
    private readonly database: () => Promise<string>,
  ) {
    const url = new URL(target);
    this.protocol = url.protocol === 'tcp:' ? 'tcp' : 'udp';
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port);
  }

  async append(checkpoint: Checkpoint): Promise<void> {
    const message = syslogMessage(await this.database(), checkpoint);
    return this.protocol === 'udp' ? this.sendUdp(Buffer.from(message, 'utf8')) : this.sendTcp(octetCounted(message));
  }

  private sendUdp(message: Buffer): Promise<void> {
    const socket = createSocket(isIPv6(this.host) ? 'udp6' : 'udp4');
    return new Promise<void>((resolve, reject) => {
      socket.send(message, this.port, this.host, (error) => (error ? reject(error) : resolve()));
    }).finally(() => socket.close());
  }

  private sendTcp(frame: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, timeout: TIMEOUT_MS });
      socket.once('error', reject);
      socket.once('timeout', () => socket.destroy(new Error('syslog receiver timed out')));
      socket.once('connect', () => {
        socket.end(frame, () => resolve());
      });
    });
  }
}
