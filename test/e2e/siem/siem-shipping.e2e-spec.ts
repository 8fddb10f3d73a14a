import { startTestApp, TestApp } from '../../support/app';
import { AuditFixtureModule, WIDGETS_TABLE } from '../../support/audit.fixture';
import { waitFor } from '../../support/wait-for';
import { HttpReceiver, selfSignedCertificate, SyslogReceiver } from '../../integration/siem/siem-receivers';

interface TrailRow {
  id: string;
  shard: number;
  seq: number;
  action: string;
}

/** What the SIEM may see of an event: nothing else (no details, IP or user agent). */
const SNAPSHOT_KEYS = [
  'action',
  'actorId',
  'actorRole',
  'hash',
  'id',
  'occurredAt',
  'outcome',
  'prevHash',
  'resourceId',
  'resourceType',
  'route',
  'seq',
  'severity',
  'shard',
  'traceId',
];
const TOKEN = 'e2e-siem-bearer-token';

describe('SIEM shipping through the outbox (TLS syslog and HTTP receivers)', () => {
  const certificate = selfSignedCertificate();
  let syslog: SyslogReceiver;
  let http: HttpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    syslog = await SyslogReceiver.start(certificate);
    http = await HttpReceiver.start();
    t = await startTestApp(
      {
        SIEM_SYSLOG_URL: `tls://127.0.0.1:${syslog.port}`,
        SIEM_SYSLOG_CA_FILE: certificate.certFile,
        SIEM_SYSLOG_SERVERNAME: 'localhost',
        SIEM_HTTP_URL: http.url,
        SIEM_HTTP_TOKEN: TOKEN,
        SIEM_TIMEOUT_MS: '1000',
        OUTBOX_POLL_INTERVAL_MS: '100',
        OUTBOX_MAX_ATTEMPTS: '3',
      },
      [AuditFixtureModule],
    );
    await t.db.query(WIDGETS_TABLE);
  });
  afterAll(async () => {
    await t.close();
    await syslog.stop();
    await http.stop();
    certificate.remove();
  });

  /** Audit events from several kinds of request at once, so they spread over shards. */
  const recordEvents = async (rounds: number) => {
    const requests = [];
    for (let i = 0; i < rounds; i++) {
      requests.push(
        t
          .http()
          .post('/test-audit/widgets')
          .send({ name: `w${i}` })
          .expect(201),
      );
      requests.push(t.http().post('/test-audit/forbidden').expect(403));
      requests.push(t.http().post('/test-audit/self-recorded').expect(201));
    }
    await Promise.all(requests);
  };
  const trail = () =>
    t.db.query<TrailRow>('SELECT id::text AS id, shard, seq::int AS seq, action FROM audit_events ORDER BY shard, seq');
  const hasAll = (ids: string[], rows: TrailRow[]) => {
    const seen = new Set(ids);
    return rows.every((row) => seen.has(row.id));
  };
  /** Per shard, the seqs in the order their first copy arrived: at least once means repeats may follow. */
  const arrivalOrder = (ids: string[], rows: TrailRow[]) => {
    const byId = new Map(rows.map((row) => [row.id, row]));
    const shards: Record<number, number[]> = {};
    for (const id of new Set(ids)) {
      const row = byId.get(id);
      if (row) (shards[row.shard] ??= []).push(row.seq);
    }
    return shards;
  };
  const expectShardOrder = (ids: string[], rows: TrailRow[]) => {
    const shards = arrivalOrder(ids, rows);
    expect(Object.keys(shards).length).toBeGreaterThan(1);
    for (const seqs of Object.values(shards)) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  };
  const metric = async (name: string, labels: string) => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const undelivered = () =>
    t.db.query<{ consumer: string; status: string; attempts: number }>(
      `SELECT consumer, status, attempts FROM outbox_deliveries WHERE consumer LIKE 'siem-%' AND status <> 'delivered'`,
    );

  it('ships every audit event to both sinks: well-formed RFC 5424 and JSON batches, in seq order per shard', async () => {
    await recordEvents(8);
    const rows = await trail();
    await waitFor(() => hasAll(syslog.eventIds, rows) && hasAll(http.eventIds, rows));

    expect(syslog.errors).toEqual([]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const message of syslog.messages) {
      const event = JSON.parse(message.msg);
      const row = byId.get(message.params.eventId);
      expect(message).toMatchObject({ appName: 'compliance-kit', msgId: row?.action, sdId: 'audit@32473' });
      expect(message.params).toEqual({ eventId: event.id, shard: String(row?.shard), seq: String(row?.seq) });
      expect(Object.keys(event).sort()).toEqual(SNAPSHOT_KEYS);
      expect(message.pri).toBe(13 * 8 + (event.severity === 'warning' ? 4 : 6));
    }
    expect(new Set(http.accepted.map((batch) => batch.headers.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
    for (const batch of http.accepted) {
      for (const event of batch.events) expect(Object.keys(event).sort()).toEqual(SNAPSHOT_KEYS);
    }
    expectShardOrder(syslog.eventIds, rows);
    expectShardOrder(http.eventIds, rows);
    expect(await metric('siem_events_shipped_total', 'sink="syslog"')).toBeGreaterThanOrEqual(rows.length);
    expect(await metric('siem_events_shipped_total', 'sink="http"')).toBeGreaterThanOrEqual(rows.length);
  });

  it('loses nothing across a receiver outage: requests succeed, the backlog grows, then drains in order', async () => {
    const failuresBefore = {
      syslog: await metric('siem_delivery_failures_total', 'sink="syslog",kind="transient"'),
      http: await metric('siem_delivery_failures_total', 'sink="http",kind="transient"'),
    };
    await syslog.stop();
    await http.stop();

    await recordEvents(6);
    await waitFor(
      async () =>
        (await metric('outbox_backlog', 'consumer="siem-syslog"')) >= 18 &&
        (await metric('outbox_backlog', 'consumer="siem-http"')) >= 18,
    );
    await waitFor(
      async () =>
        (await metric('siem_delivery_failures_total', 'sink="syslog",kind="transient"')) > failuresBefore.syslog &&
        (await metric('siem_delivery_failures_total', 'sink="http",kind="transient"')) > failuresBefore.http,
    );
    expect(await metric('outbox_oldest_pending_age_seconds', 'consumer="siem-http"')).toBeGreaterThan(0);
    await recordEvents(4);
    // However many times they failed, none counted an attempt towards the dead letter.
    const pending = await undelivered();
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((row) => row.status === 'pending' && row.attempts === 0)).toBe(true);

    await syslog.restart();
    await http.restart();
    const rows = await trail();
    await waitFor(() => hasAll(syslog.eventIds, rows) && hasAll(http.eventIds, rows), 30_000);
    await waitFor(
      async () =>
        (await metric('outbox_backlog', 'consumer="siem-syslog"')) === 0 &&
        (await metric('outbox_backlog', 'consumer="siem-http"')) === 0,
    );
    expect(await undelivered()).toEqual([]);
    expect(syslog.errors).toEqual([]);
    expectShardOrder(syslog.eventIds, rows);
    expectShardOrder(http.eventIds, rows);
  });

  it('dead-letters an event the HTTP receiver refuses (400) after OUTBOX_MAX_ATTEMPTS; the events after it wait, then ship', async () => {
    let poison = '';
    http.answer = (batch) => (batch.events.some((event) => event.resourceId === poison) ? 400 : 204);
    const created = await t.http().post('/test-audit/widgets').send({ name: 'poison' }).expect(201);
    poison = String(created.body.id);
    const refusedPoison = () => http.refused.filter((batch) => batch.events.some((e) => e.resourceId === poison));
    await waitFor(() => refusedPoison().length > 0);

    const after = await t.http().post('/test-audit/widgets').send({ name: 'after' }).expect(201);
    const later = String(after.body.id);
    const refusedSoFar = refusedPoison().length;
    await waitFor(() => refusedPoison().length > refusedSoFar);
    // Retried after the later event committed, and the later event still did not overtake it.
    const acceptedIds = () => http.accepted.flatMap((batch) => batch.events.map((event) => event.resourceId));
    expect(acceptedIds()).not.toContain(later);

    await waitFor(() => acceptedIds().includes(later));
    expect(acceptedIds()).not.toContain(poison);
    const deadOnly = [{ consumer: 'siem-http', status: 'dead', attempts: 3 }];
    await waitFor(async () => JSON.stringify(await undelivered()) === JSON.stringify(deadOnly));
    const [dead] = await t.db.query<{ last_error: string }>(
      `SELECT last_error FROM outbox_deliveries WHERE consumer = 'siem-http' AND status = 'dead'`,
    );
    expect(dead.last_error).toBe('SIEM endpoint answered 400');
    // The other sink is a consumer of its own: it shipped the event the HTTP receiver refused.
    const syslogResources = syslog.messages.map((message) => JSON.parse(message.msg).resourceId);
    expect(syslogResources).toEqual(expect.arrayContaining([poison, later]));
    expect(await metric('siem_delivery_failures_total', 'sink="http",kind="permanent"')).toBeGreaterThanOrEqual(3);
    await waitFor(async () => (await metric('outbox_dead_letters', 'consumer="siem-http"')) === 1);
  });
});
