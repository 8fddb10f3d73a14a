import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Server as TcpServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

/** An RFC 5424 message taken apart; `parseRfc5424` throws on anything that is not one. */
export interface SyslogMessage {
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sdId: string | null;
  params: Record<string, string>;
  msg: string;
}

const HEADER = /^<(\d{1,3})>1 (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) /;
const SD_ELEMENT = /^\[([^\s=\]"]{1,32})((?: [^\s=\]"]{1,32}="(?:[^"\\\]]|\\["\\\]])*")*)\]/;
const SD_PARAM = / ([^\s=\]"]+)="((?:[^"\\\]]|\\["\\\]])*)"/g;

export function parseRfc5424(text: string): SyslogMessage {
  const header = HEADER.exec(text);
  if (!header) throw new Error(`not an RFC 5424 header: ${text.slice(0, 120)}`);
  const [, pri, timestamp, hostname, appName, procId, msgId] = header;
  if (Number(pri) > 191) throw new Error(`PRI out of range: ${pri}`);
  if (Number.isNaN(Date.parse(timestamp)) || !/Z$|[+-]\d\d:\d\d$/.test(timestamp)) {
    throw new Error(`bad TIMESTAMP ${timestamp}`);
  }
  let rest = text.slice(header[0].length);
  let sdId: string | null = null;
  const params: Record<string, string> = {};
  if (rest.startsWith('- ')) {
    rest = rest.slice(2);
  } else {
    const element = SD_ELEMENT.exec(rest);
    if (!element || rest[element[0].length] !== ' ') throw new Error(`bad STRUCTURED-DATA: ${rest.slice(0, 120)}`);
    sdId = element[1];
    for (const [, name, value] of element[2].matchAll(SD_PARAM)) params[name] = value.replace(/\\(["\\\]])/g, '$1');
    rest = rest.slice(element[0].length + 1);
  }
  return { pri: Number(pri), timestamp, hostname, appName, procId, msgId, sdId, params, msg: rest };
}

/** Splits an RFC 6587 octet-counted stream; a malformed length is recorded as an error. */
class OctetCountingParser {
  private buffer = Buffer.alloc(0);

  constructor(
    private readonly onFrame: (frame: string) => void,
    private readonly onError: (error: string) => void,
  ) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const space = this.buffer.indexOf(0x20);
      if (space < 0) return;
      const length = this.buffer.subarray(0, space).toString();
      if (!/^[1-9]\d*$/.test(length)) {
        this.onError(`bad MSG-LEN ${JSON.stringify(length.slice(0, 20))}`);
        this.buffer = Buffer.alloc(0);
        return;
      }
      const end = space + 1 + Number(length);
      if (this.buffer.length < end) return;
      this.onFrame(this.buffer.subarray(space + 1, end).toString('utf8'));
      this.buffer = this.buffer.subarray(end);
    }
  }
}

/** A syslog receiver over TCP or TLS that can go down and come back on the same port. */
export class SyslogReceiver {
  readonly messages: SyslogMessage[] = [];
  readonly errors: string[] = [];
  connections = 0;
  port = 0;
  private server: TcpServer | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly tls?: { key: Buffer; cert: Buffer }) {}

  static async start(tls?: { key: Buffer; cert: Buffer }): Promise<SyslogReceiver> {
    const receiver = new SyslogReceiver(tls);
    await receiver.restart();
    return receiver;
  }

  get eventIds(): string[] {
    return this.messages.map((message) => message.params.eventId);
  }

  async restart(): Promise<void> {
    const onSocket = (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      const parser = new OctetCountingParser(
        (frame) => {
          try {
            this.messages.push(parseRfc5424(frame));
          } catch (error) {
            this.errors.push((error as Error).message);
          }
        },
        (error) => this.errors.push(error),
      );
      socket.on('data', (chunk: Buffer) => parser.push(chunk));
    };
    const server = this.tls
      ? createTlsServer({ key: this.tls.key, cert: this.tls.cert }, onSocket)
      : createTcpServer(onSocket);
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Down: no longer listening, every open connection closed. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

export interface HttpBatch {
  headers: IncomingHttpHeaders;
  events: Record<string, unknown>[];
}

/** An HTTP receiver of `{ events }` batches; `answer` picks each response's status. */
export class HttpReceiver {
  readonly accepted: HttpBatch[] = [];
  readonly refused: HttpBatch[] = [];
  answer: (batch: HttpBatch) => number = () => 204;
  port = 0;
  private server: HttpServer | undefined;

  static async start(): Promise<HttpReceiver> {
    const receiver = new HttpReceiver();
    await receiver.restart();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/siem`;
  }

  get eventIds(): string[] {
    return this.accepted.flatMap((batch) => batch.events.map((event) => event.id as string));
  }

  async restart(): Promise<void> {
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const batch: HttpBatch = { headers: req.headers, events: JSON.parse(Buffer.concat(chunks).toString()).events };
        const status = this.answer(batch);
        (status >= 200 && status < 300 ? this.accepted : this.refused).push(batch);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A throwaway self-signed certificate for `localhost` and 127.0.0.1 (the key never leaves a temp dir). */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer; certFile: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ck-siem-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    certFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
