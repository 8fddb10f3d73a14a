import { createSocket, Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, Server as TcpServer } from 'node:net';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Checkpoint } from '../../../src/modules/audit/checkpoints/audit-checkpoints';
import { FileAnchor } from '../../../src/modules/audit/checkpoints/file-anchor';
import { HttpAnchor } from '../../../src/modules/audit/checkpoints/http-anchor';
import { SyslogAnchor } from '../../../src/modules/audit/checkpoints/syslog-anchor';

const checkpoint = (seq: number): Checkpoint => ({
  id: seq,
  seq,
  prevSignature: 'p'.repeat(64),
  kind: 'periodic',
  createdAt: new Date('2026-12-01T10:00:00.000Z'),
  heads: [{ shard: 3, seq: 42, hash: 'h'.repeat(64) }],
  signature: String(seq).repeat(64).slice(0, 64),
});
const database = async () => 'ck_anchor_test';
const expected = (seq: number) => ({
  database: 'ck_anchor_test',
  seq,
  kind: 'periodic',
  createdAt: '2026-12-01T10:00:00.000Z',
  heads: [{ shard: 3, seq: 42, hash: 'h'.repeat(64) }],
  prevSignature: 'p'.repeat(64),
  signature: String(seq).repeat(64).slice(0, 64),
});
/** `<PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG` of RFC 5424. */
const RFC5424 = /^<110>1 2026-12-01T10:00:00\.000Z \S+ compliance-kit \d+ audit\.checkpoint - (\{.*\})$/;

describe('checkpoint anchors', () => {
  describe('file', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ck-anchor-file-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('appends one JSON line per checkpoint and reads back only its own database', async () => {
      const path = join(dir, 'nested', 'anchor.jsonl');
      const anchor = new FileAnchor(async () => path, database);
      await Promise.all([anchor.append(checkpoint(1)), anchor.append(checkpoint(2))]);
      writeFileSync(path, `${readFileSync(path, 'utf8')}${JSON.stringify({ ...expected(3), database: 'other' })}\n`);
      const read = [];
      for await (const entry of anchor.read()) read.push(entry);
      expect(read).toEqual([expected(1), expected(2)]);
    });

    it('reads nothing before the first checkpoint', async () => {
      const anchor = new FileAnchor(async () => join(dir, 'absent.jsonl'), database);
      const read = [];
      for await (const entry of anchor.read()) read.push(entry);
      expect(read).toEqual([]);
    });
  });

  describe('syslog', () => {
    let udp: UdpSocket | undefined;
    let tcp: TcpServer | undefined;
    afterEach(async () => {
      udp?.close();
      const server = tcp;
      if (server) await new Promise((resolve) => server.close(resolve));
      [udp, tcp] = [undefined, undefined];
    });

    it('sends an RFC 5424 message per checkpoint over UDP, its JSON as the message', async () => {
      const socket = (udp = createSocket('udp4'));
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const received = new Promise<string>((resolve) =>
        socket.once('message', (message) => resolve(message.toString())),
      );
      await new SyslogAnchor(`udp://127.0.0.1:${socket.address().port}`, database).append(checkpoint(7));
      const [, json] = RFC5424.exec(await received) ?? [];
      expect(JSON.parse(json)).toEqual(expected(7));
    });

    it('sends it over TCP with octet-counting framing', async () => {
      let resolveFrame: (frame: string) => void = () => undefined;
      const received = new Promise<string>((resolve) => (resolveFrame = resolve));
      const server = (tcp = createTcpServer((socket) => {
        const chunks: Buffer[] = [];
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('end', () => resolveFrame(Buffer.concat(chunks).toString()));
      }));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await new SyslogAnchor(`tcp://127.0.0.1:${port}`, database).append(checkpoint(8));
      const frame = await received;
      const [length, ...rest] = frame.split(' ');
      const message = rest.join(' ');
      expect(Number(length)).toBe(Buffer.byteLength(message));
      expect(JSON.parse(RFC5424.exec(message)?.[1] ?? 'null')).toEqual(expected(8));
    });

    it('fails when nothing listens on the TCP port', async () => {
      const closed = createTcpServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      await expect(new SyslogAnchor(`tcp://127.0.0.1:${port}`, database).append(checkpoint(9))).rejects.toThrow(
        /ECONNREFUSED/,
      );
    });
  });

  describe('http', () => {
    let server: HttpServer;
    let status = 204;
    const bodies: unknown[] = [];
    beforeAll(async () => {
      server = createHttpServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          bodies.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
          res.writeHead(status).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));
    const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/anchor`;

    it('POSTs each checkpoint as JSON', async () => {
      await new HttpAnchor(url(), database).append(checkpoint(4));
      expect(bodies.pop()).toEqual({ method: 'POST', type: 'application/json', body: expected(4) });
    });

    it('treats an answer other than 2xx as a failed anchor', async () => {
      status = 503;
      await expect(new HttpAnchor(url(), database).append(checkpoint(5))).rejects.toThrow(/503/);
    });
  });
});
