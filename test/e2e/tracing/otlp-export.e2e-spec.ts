import { randomBytes } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { dropQueueKeys } from '../../support/app';
import { createTestDatabase, TestDatabase, TEST_REDIS_URL } from '../../support/database';
import { startAppProcess } from '../../support/process';
import { waitFor } from '../../support/wait-for';

interface Export {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A stand-in OpenTelemetry collector: OTLP/HTTP on any path, every request kept. */
class OtlpReceiver {
  readonly exports: Export[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.exports.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': String(req.headers['content-type']) }).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}
interface JsonExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: JsonSpan[] }[];
  }[];
}

describe('OTLP/HTTP export from the running app', () => {
  let db: TestDatabase;
  let receiver: OtlpReceiver;
  let endpoint: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = new OtlpReceiver();
    endpoint = await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await db.drop();
    await dropQueueKeys(db.name);
  });

  const start = (otel: Record<string, string>) =>
    startAppProcess({
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: db.name,
      DATA_DIR: '/tmp/compliance-kit-test',
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'ck-e2e',
      ...otel,
    });
  const ids = () => ({ trace: randomBytes(16).toString('hex'), parent: randomBytes(8).toString('hex') });

  it('sends the spans of a request as OTLP JSON, with its headers, and logs the trace id on the request’s lines', async () => {
    const { trace, parent } = ids();
    const app = await start({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-otlp-token=abc%20123',
    });
    const res = await fetch(`${app.baseUrl}/docs-json`, { headers: { traceparent: `00-${trace}-${parent}-01` } });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    expect(await app.stop()).toBe(0);

    const received = receiver.exports.filter((e) => e.headers['content-type'] === 'application/json');
    expect(received.length).toBeGreaterThan(0);
    expect(received[0].path).toBe('/v1/traces');
    expect(received[0].headers['x-otlp-token']).toBe('abc 123');
    const exports = received.map((e) => JSON.parse(e.body.toString()) as JsonExport);
    const spans = exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    expect(spans).toContainEqual(
      expect.objectContaining({ traceId: trace, parentSpanId: parent, name: 'GET /docs-json' }),
    );
    const resource = exports[0].resourceSpans[0].resource.attributes;
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'ck-e2e' } });

    const server = spans.find((span) => span.traceId === trace && span.name === 'GET /docs-json')!;
    const lines = app
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { req?: { id?: string }; trace_id?: string; span_id?: string });
    const requestLine = lines.find((line) => line.req?.id === requestId);
    expect(requestLine).toMatchObject({ trace_id: trace, span_id: server.spanId });
  });

  it('sends protobuf by default, the protocol the specification makes the default', async () => {
    const { trace, parent } = ids();
    const app = await start({});
    await fetch(`${app.baseUrl}/docs-json`, { headers: { traceparent: `00-${trace}-${parent}-01` } });
    expect(await app.stop()).toBe(0);
    await waitFor(() => receiver.exports.some((e) => e.body.includes(Buffer.from(trace, 'hex'))), 5_000);
    const received = receiver.exports.find((e) => e.body.includes(Buffer.from(trace, 'hex')))!;
    expect(received.headers['content-type']).toBe('application/x-protobuf');
    expect(received.body.includes(Buffer.from('GET /docs-json'))).toBe(true);
  });
});
