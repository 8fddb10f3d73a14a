import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';
import { connect, isIPv6 } from 'node:net';
import type { Checkpoint } from './audit-checkpoints.js';
import { anchoredCheckpoint, type CheckpointAnchor } from './anchored-checkpoint.js';

/** Facility 13 (log audit), severity 6 (informational). */
const PRIORITY = 13 * 8 + 6;
const TIMEOUT_MS = 5_000;

/** One RFC 5424 message per checkpoint, its JSON as the MSG part. */
export function syslogMessage(database: string, checkpoint: Checkpoint, host = hostname()): string {
  const json = JSON.stringify(anchoredCheckpoint(database, checkpoint));
  return `<${PRIORITY}>1 ${checkpoint.createdAt.toISOString()} ${host || '-'} compliance-kit ${process.pid} audit.checkpoint - ${json}`;
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
    const message = Buffer.from(syslogMessage(await this.database(), checkpoint), 'utf8');
    return this.protocol === 'udp' ? this.sendUdp(message) : this.sendTcp(message);
  }

  private sendUdp(message: Buffer): Promise<void> {
    const socket = createSocket(isIPv6(this.host) ? 'udp6' : 'udp4');
    return new Promise<void>((resolve, reject) => {
      socket.send(message, this.port, this.host, (error) => (error ? reject(error) : resolve()));
    }).finally(() => socket.close());
  }

  private sendTcp(message: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port, timeout: TIMEOUT_MS });
      socket.once('error', reject);
      socket.once('timeout', () => socket.destroy(new Error('syslog receiver timed out')));
      socket.once('connect', () => {
        socket.end(Buffer.concat([Buffer.from(`${message.length} `), message]), () => resolve());
      });
    });
  }
}
