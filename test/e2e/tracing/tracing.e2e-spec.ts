import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { QUERY_OPERATIONS } from '../../../src/infrastructure/database/sql-statement';
import { HttpReceiver } from '../../integration/siem/siem-receivers';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { childrenOf, everythingIn } from '../../support/tracing';
import { waitFor } from '../../support/wait-for';

const traceId = () => randomBytes(16).toString('hex');
const spanId = () => randomBytes(8).toString('hex');
const traceparent = (trace: string, parent: string) => `00-${trace}-${parent}-01`;

const isPostgres = (span: ReadableSpan) => span.attributes['db.system.name'] === 'postgresql';
const isRedis = (span: ReadableSpan) => span.attributes['db.system.name'] === 'redis';

describe('tracing on (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let t: TestApp;
  let siem: HttpReceiver;
  let admin: Awaited<ReturnType<TestApp['as']>>;

  beforeAll(async () => {
    siem = await HttpReceiver.start();
    t = await startTestApp(
      { OTEL_TRACES_EXPORTER: 'otlp', SIEM_HTTP_URL: siem.url, OUTBOX_POLL_INTERVAL_MS: '200' },
      [],
      undefined,
      { spanExporter: exporter },
    );
    admin = await t.as('admin');
  });
  afterAll(async () => {
    await t.close();
    await siem.stop();
  });

  /** The spans of one trace once its server span has ended (the response may arrive first). */
  async function trace(id: string, serverSpanName: string): Promise<ReadableSpan[]> {
    const ofTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === id);
    await waitFor(() => ofTrace().some((span) => span.kind === SpanKind.SERVER && span.name === serverSpanName));
    return ofTrace();
  }

  it('continues the caller’s trace: the server span is the child of its traceparent, Postgres and Redis spans are children of it', async () => {
    const [trace0, parent] = [traceId(), spanId()];
    const res = await admin.get('/users').set('traceparent', traceparent(trace0, parent)).expect(200);
    expect(res.headers.traceresponse).toMatch(new RegExp(`^00-${trace0}-[0-9a-f]{16}-01$`));

    const spans = await trace(trace0, 'GET /users');
    const server = spans.find((span) => span.kind === SpanKind.SERVER)!;
    expect(server.parentSpanContext).toMatchObject({ traceId: trace0, spanId: parent, isRemote: true });
    expect(res.headers.traceresponse).toBe(traceparent(trace0, server.spanContext().spanId));
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/users',
      'url.path': '/users',
      'http.response.status_code': 200,
    });
    const children = childrenOf(spans, server);
    expect(children.filter(isPostgres).length).toBeGreaterThan(0);
    expect(children.filter(isRedis).length).toBeGreaterThan(0);
    expect(children.find(isRedis)).toMatchObject({ kind: SpanKind.CLIENT });
    expect(children.filter(isPostgres).map((span) => span.attributes['compliance_kit.repository'])).toContain(
      'UsersRepository',
    );
  });

  it('starts a new trace when the caller sends no valid traceparent', async () => {
    const res = await admin.get('/users').set('traceparent', '00-00000000000000000000000000000000-00f067aa0ba902b7-01');
    const [, trace1, server] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(res.headers.traceresponse)!;
    const spans = await trace(trace1, 'GET /users');
    expect(spans.find((span) => span.spanContext().spanId === server)?.parentSpanContext).toBeUndefined();
  });

  it('never puts a parameter value or the query string into a span', async () => {
    const secret = `secret-${randomBytes(6).toString('hex')}`;
    const res = await admin.get(`/audit/events?resourceId=${secret}`).expect(200);
    const [, trace2] = /^00-([0-9a-f]{32})-/.exec(res.headers.traceresponse)!;
    const spans = await trace(trace2, 'GET /audit/events');
    const statements = spans.filter(isPostgres).map((span) => String(span.attributes['db.query.text']));
    expect(statements.some((text) => /resource_id = \$\d/.test(text))).toBe(true);
    expect(everythingIn(exporter.getFinishedSpans())).not.toContain(secret);
  });

  it('records the trace id in the audit event (hashed, the chain still verifies), and carries it to the SIEM', async () => {
    const trace3 = traceId();
    const res = await admin
      .post('/compliance/records')
      .set('traceparent', traceparent(trace3, spanId()))
      .send(aRecord())
      .expect(201);
    const [row] = await t.db.query<{ trace_id: string; id: string }>(
      'SELECT id, trace_id FROM audit_events WHERE request_id = $1',
      [res.headers['x-request-id']],
    );
    expect(row.trace_id).toBe(trace3);
    const page = await admin.get('/audit/events?action=compliance.record.created').expect(200);
    expect(page.body.items.find((event: { id: string }) => event.id === row.id)?.traceId).toBe(trace3);
    expect((await admin.get('/audit/verify').expect(200)).body.ok).toBe(true);

    await waitFor(() => siem.accepted.some((batch) => batch.events.some((event) => event.id === row.id)));
    const batch = siem.accepted.find((b) => b.events.some((event) => event.id === row.id))!;
    expect(batch.events.find((event) => event.id === row.id)?.traceId).toBe(trace3);
    // The shipping round is a trace of its own; the POST carried its context.
    const [, roundTrace, roundSpan] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(batch.headers.traceparent))!;
    await waitFor(() => exporter.getFinishedSpans().some((span) => span.spanContext().spanId === roundSpan));
    const round = exporter.getFinishedSpans().find((span) => span.spanContext().spanId === roundSpan)!;
    expect(round.name).toBe('outbox.relay.round');
    expect(round.spanContext().traceId).toBe(roundTrace);
    expect(round.attributes['compliance_kit.outbox.consumer']).toBe('siem-http');
  });

  it('labels db_query_duration_seconds by repository class and a fixed operation only', async () => {
    const secret = `secret-${randomBytes(6).toString('hex')}`;
    await admin.get(`/audit/events?resourceId=${secret}`).expect(200);
    const text = (await t.http().get('/metrics').expect(200)).text;
    const series = [...text.matchAll(/^db_query_duration_seconds_count\{([^}]*)\} (\d+)/gm)].map(([, labels]) =>
      Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value])),
    );
    expect(series).toEqual(
      expect.arrayContaining([
        { repository: 'UsersRepository', operation: 'select' },
        { repository: 'AuditRepository', operation: 'select' },
        { repository: 'other', operation: 'transaction' },
      ]),
    );
    for (const labels of series) {
      expect(Object.keys(labels).sort()).toEqual(['operation', 'repository']);
      expect(labels.repository).toMatch(/^(other|[A-Z][A-Za-z]+)$/);
      expect(QUERY_OPERATIONS).toContain(labels.operation);
    }
    expect(text).not.toContain(secret);
  });
});

describe('tracing off (the default)', () => {
  const exporter = new InMemorySpanExporter();
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({}, [], undefined, { spanExporter: exporter })));
  afterAll(() => t.close());

  it('creates no spans, answers no traceresponse and records no trace id, whatever the caller sends', async () => {
    const admin = await t.as('admin');
    const res = await admin
      .post('/compliance/records')
      .set('traceparent', traceparent(traceId(), spanId()))
      .send(aRecord())
      .expect(201);
    expect(res.headers.traceresponse).toBeUndefined();
    const [row] = await t.db.query<{ trace_id: string | null }>(
      'SELECT trace_id FROM audit_events WHERE request_id = $1',
      [res.headers['x-request-id']],
    );
    expect(row.trace_id).toBeNull();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect((await t.http().get('/metrics').expect(200)).text).toMatch(
      /db_query_duration_seconds_count\{repository="ComplianceRecordsRepository",operation="insert"\} [1-9]/,
    );
  });
});

describe('correlation only (tracing on, sampler always_off)', () => {
  const exporter = new InMemorySpanExporter();
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await startTestApp({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'always_off' }, [], undefined, {
        spanExporter: exporter,
      })),
  );
  afterAll(() => t.close());

  it('exports nothing but continues the caller’s trace id in the response and the audit trail', async () => {
    const admin = await t.as('admin');
    const caller = traceId();
    const res = await admin
      .post('/compliance/records')
      .set('traceparent', traceparent(caller, spanId()))
      .send(aRecord())
      .expect(201);
    expect(res.headers.traceresponse).toMatch(new RegExp(`^00-${caller}-[0-9a-f]{16}-00$`));
    const [row] = await t.db.query<{ trace_id: string | null }>(
      'SELECT trace_id FROM audit_events WHERE request_id = $1',
      [res.headers['x-request-id']],
    );
    expect(row.trace_id).toBe(caller);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
