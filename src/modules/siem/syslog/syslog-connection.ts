import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { DeliveryUnavailable } from '../../../infrastructure/outbox/outbox-consumer.js';

export interface SyslogTarget {
  host: string;
  port: number;
  /** Set for `tls://`: CA, servername, rejectUnauthorized. */
  tls?: ConnectionOptions;
}

/**
 * One long-lived TCP (or TLS) connection to a syslog receiver, opened on first use and again after
 * any error. `write` resolves once the bytes are flushed to the kernel: syslog over TCP has no
 * acknowledgement, so anything the receiver loses after that (a crash, a reset with data in
 * flight) is lost to us too. Every failure is a `DeliveryUnavailable`.
 */
export class SyslogConnection {
  private socket: Socket | undefined;
  private opening: Promise<Socket> | undefined;

  constructor(
    private readonly target: SyslogTarget,
    private readonly timeoutMs: number,
  ) {}

  async write(frame: Buffer): Promise<void> {
    const socket = await this.open();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(unavailable(new Error(`write timed out after ${this.timeoutMs} ms`)));
      }, this.timeoutMs);
      socket.write(frame, (error) => {
        clearTimeout(timer);
        if (error) reject(unavailable(error));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), this.timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  private open(): Promise<Socket> {
    const socket = this.socket;
    if (socket && !socket.destroyed && socket.writable) return Promise.resolve(socket);
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private connect(): Promise<Socket> {
    const { host, port, tls } = this.target;
    return new Promise((resolve, reject) => {
      const socket = tls ? connectTls({ host, port, ...tls }) : connectTcp({ host, port });
      const timer = setTimeout(
        () => socket.destroy(new Error(`connect timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(unavailable(error));
      };
      socket.once('error', fail);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        this.adopt(socket);
        resolve(socket);
      });
    });
  }

  private adopt(socket: Socket): void {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    // A receiver never speaks; its side closing means it is gone, so the next write reconnects
    // instead of writing into a dead connection. Errors surface through the write callback.
    socket.on('error', () => socket.destroy());
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
    socket.resume();
  }
}

function unavailable(error: Error): DeliveryUnavailable {
  const code = (error as NodeJS.ErrnoException).code;
  return new DeliveryUnavailable(`syslog receiver unavailable: ${code ? `${code} ` : ''}${error.message}`);
}
