import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { DeliveryUnavailable } from '../../../src/infrastructure/outbox/outbox-consumer';
import type { AuditSnapshot } from '../../../src/modules/audit/audit-outbox-event';
import type { SiemSink } from '../../../src/modules/siem/siem-sink';
import { createSiemSinks } from '../../../src/modules/siem/siem-sinks';
import { waitFor } from '../../support/wait-for';
import { HttpReceiver, selfSignedCertificate, SyslogReceiver } from './siem-receivers';

const anEvent = (seq: number): AuditSnapshot => ({
  id: `0193a1b2-0000-7000-8000-${String(seq).padStart(12, '0')}`,
  shard: 5,
  seq,
  prevHash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  occurredAt: '2026-12-02T06:00:00.000Z',
  action: 'widget.created',
  actorId: 'system',
  actorRole: 'system',
  resourceType: 'widget',
  resourceId: String(seq),
  outcome: 'success',
  severity: 'info',
  route: null,
  traceId: null,
});
const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => anEvent(from + i));

/** The sinks the app would build from these variables. */
const sinksFrom = (environment: Record<string, string>): SiemSink[] =>
  createSiemSinks(new AppConfig(validateEnvironment({ SIEM_TIMEOUT_MS: '500', ...environment })));

describe('SIEM sinks against real receivers', () => {
  const opened: SiemSink[] = [];
  const sink = (environment: Record<string, string>) => {
    const [built] = sinksFrom(environment);
    opened.push(built);
    return built;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('builds no sink when none is configured', () => {
    expect(sinksFrom({})).toEqual([]);
  });

  describe('syslog over TCP', () => {
    let receiver: SyslogReceiver;
    beforeEach(async () => (receiver = await SyslogReceiver.start()));
    afterEach(() => receiver.stop());

    it('writes octet-counted RFC 5424 messages in order over one kept-open connection', async () => {
      const syslog = sink({ SIEM_SYSLOG_URL: `tcp://127.0.0.1:${receiver.port}`, SIEM_SYSLOG_FACILITY: '10' });
      await syslog.ship(events(1, 3));
      await syslog.ship(events(4, 5));
      await waitFor(() => receiver.messages.length === 5);
      expect(receiver.errors).toEqual([]);
      expect(receiver.connections).toBe(1);
      expect(receiver.messages.map((m) => Number(m.params.seq))).toEqual([1, 2, 3, 4, 5]);
      expect(receiver.messages[0]).toMatchObject({
        pri: 10 * 8 + 6,
        appName: 'compliance-kit',
        msgId: 'widget.created',
      });
      expect(JSON.parse(receiver.messages[0].msg)).toEqual(anEvent(1));
    });

    it('fails as unavailable while the receiver is down and reconnects when it is back', async () => {
      const syslog = sink({ SIEM_SYSLOG_URL: `tcp://127.0.0.1:${receiver.port}` });
      await syslog.ship(events(1, 1));
      await waitFor(() => receiver.messages.length === 1);
      await receiver.stop();
      // The closed connection is noticed before the next write, which then finds nothing listening.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(syslog.ship(events(2, 2))).rejects.toThrow(DeliveryUnavailable);
      await expect(syslog.ship(events(2, 2))).rejects.toThrow(/ECONNREFUSED/);

      await receiver.restart();
      await syslog.ship(events(2, 3));
      await waitFor(() => receiver.messages.length === 3);
      expect(receiver.connections).toBe(2);
      expect(receiver.eventIds).toEqual([anEvent(1).id, anEvent(2).id, anEvent(3).id]);
    });

    it('times out as unavailable when the receiver accepts but never completes the TLS handshake', async () => {
      const syslog = sink({ SIEM_SYSLOG_URL: `tls://127.0.0.1:${receiver.port}`, SIEM_TIMEOUT_MS: '300' });
      await expect(syslog.ship(events(1, 1))).rejects.toThrow(/syslog receiver unavailable: .*timed out/);
    });
  });

  describe('syslog over TLS', () => {
    const certificate = selfSignedCertificate();
    let receiver: SyslogReceiver;
    beforeAll(async () => (receiver = await SyslogReceiver.start(certificate)));
    afterAll(async () => {
      await receiver.stop();
      certificate.remove();
    });
    beforeEach(() => receiver.messages.splice(0));

    it('ships to a receiver whose certificate chains to SIEM_SYSLOG_CA_FILE, checked against SIEM_SYSLOG_SERVERNAME', async () => {
      const syslog = sink({
        SIEM_SYSLOG_URL: `tls://127.0.0.1:${receiver.port}`,
        SIEM_SYSLOG_CA_FILE: certificate.certFile,
        SIEM_SYSLOG_SERVERNAME: 'localhost',
      });
      await syslog.ship(events(1, 2));
      await waitFor(() => receiver.messages.length === 2);
      expect(receiver.errors).toEqual([]);
      expect(receiver.messages.map((m) => m.params.eventId)).toEqual([anEvent(1).id, anEvent(2).id]);
    });

    it('refuses, as unavailable, a certificate it cannot verify or one for another name', async () => {
      const untrusted = sink({ SIEM_SYSLOG_URL: `tls://localhost:${receiver.port}` });
      await expect(untrusted.ship(events(1, 1))).rejects.toThrow(DeliveryUnavailable);
      await expect(untrusted.ship(events(1, 1))).rejects.toThrow(/self-signed/);
      const wrongName = sink({
        SIEM_SYSLOG_URL: `tls://127.0.0.1:${receiver.port}`,
        SIEM_SYSLOG_CA_FILE: certificate.certFile,
        SIEM_SYSLOG_SERVERNAME: 'siem.example.org',
      });
      await expect(wrongName.ship(events(1, 1))).rejects.toThrow(/ERR_TLS_CERT_ALTNAME_INVALID/);
      expect(receiver.messages).toEqual([]);
    });

    it('ships without verification only when SIEM_SYSLOG_REJECT_UNAUTHORIZED=false', async () => {
      const unverified = sink({
        SIEM_SYSLOG_URL: `tls://127.0.0.1:${receiver.port}`,
        SIEM_SYSLOG_REJECT_UNAUTHORIZED: 'false',
      });
      await unverified.ship(events(1, 1));
      await waitFor(() => receiver.messages.length === 1);
    });

    it('stops the boot when the CA file cannot be read, naming the variable', () => {
      expect(() =>
        sinksFrom({ SIEM_SYSLOG_URL: 'tls://127.0.0.1:6514', SIEM_SYSLOG_CA_FILE: '/nonexistent/ca.pem' }),
      ).toThrow('Invalid configuration: SIEM_SYSLOG_CA_FILE cannot be read (ENOENT)');
    });
  });

  describe('http', () => {
    let receiver: HttpReceiver;
    beforeEach(async () => (receiver = await HttpReceiver.start()));
    afterEach(() => receiver.stop());

    it('POSTs a JSON batch { events } with the bearer token; 2xx is shipped', async () => {
      const http = sink({ SIEM_HTTP_URL: receiver.url, SIEM_HTTP_TOKEN: 'siem-secret-token' });
      await http.ship(events(1, 3));
      expect(receiver.accepted).toHaveLength(1);
      expect(receiver.accepted[0].headers).toMatchObject({
        authorization: 'Bearer siem-secret-token',
        'content-type': 'application/json',
      });
      expect(receiver.accepted[0].events).toEqual(events(1, 3));
    });

    it.each([500, 503, 429, 408])('treats %d as the receiver being unavailable', async (status) => {
      receiver.answer = () => status;
      await expect(sink({ SIEM_HTTP_URL: receiver.url }).ship(events(1, 1))).rejects.toThrow(DeliveryUnavailable);
    });

    it.each([400, 401, 413, 422])('treats %d as a refusal that counts towards the dead letter', async (status) => {
      receiver.answer = () => status;
      const failure = await sink({ SIEM_HTTP_URL: receiver.url, SIEM_HTTP_TOKEN: 'siem-secret-token' })
        .ship(events(1, 1))
        .catch((error: Error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(DeliveryUnavailable);
      expect((failure as Error).message).toBe(`SIEM endpoint answered ${status}`);
    });

    it('treats a refused connection as unavailable, without the URL or token in the message', async () => {
      const http = sink({ SIEM_HTTP_URL: receiver.url, SIEM_HTTP_TOKEN: 'siem-secret-token' });
      await receiver.stop();
      const failure = (await http.ship(events(1, 1)).catch((error: Error) => error)) as Error;
      expect(failure).toBeInstanceOf(DeliveryUnavailable);
      expect(failure.message).toMatch(/ECONNREFUSED/);
      expect(failure.message).not.toMatch(/siem-secret-token|127\.0\.0\.1/);
      await receiver.restart();
    });

    it('gives up on an answer slower than SIEM_TIMEOUT_MS, as unavailable', async () => {
      let slow: Server | undefined;
      try {
        slow = createServer(() => undefined);
        const server = slow;
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        const started = Date.now();
        await expect(sink({ SIEM_HTTP_URL: url, SIEM_TIMEOUT_MS: '300' }).ship(events(1, 1))).rejects.toThrow(
          DeliveryUnavailable,
        );
        expect(Date.now() - started).toBeLessThan(3_000);
      } finally {
        slow?.closeAllConnections();
        await new Promise((resolve) => slow?.close(resolve));
      }
    });
  });
});
