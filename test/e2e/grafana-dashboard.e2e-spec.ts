import { metricsInPromQL, readText } from '../support/deploy-files.js';
import { OutboxGauges } from '../../src/infrastructure/outbox/outbox-gauges.js';
import { OutboxRelay } from '../../src/infrastructure/outbox/outbox-relay.js';
import { startTestApp, TestApp } from '../support/app.js';
import { aRecord } from '../support/builders/compliance-record.builder.js';

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

/** Series Prometheus adds to every scrape itself; the app cannot export them. */
const SCRAPE_SERIES = new Set(['up']);

function seriesNames(exposition: string): Set<string> {
  return new Set(
    exposition
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(/[{\s]/)[0]),
  );
}

describe('Grafana dashboard (docker/grafana/dashboards/compliance-kit.json)', () => {
  const dashboard = JSON.parse(readText('docker/grafana/dashboards/compliance-kit.json')) as { panels: Panel[] };
  const queried = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
  let t: TestApp;
  let exported: Set<string>;

  beforeAll(async () => {
    t = await startTestApp();
    // Series appear only after a first observation: exercise each family once. The probe's status
    // is not the point (a boot slowed by a loaded machine can stall the loop past liveness' limit).
    await t.http().get('/health/live');
    const analyst = await t.as('analyst');
    const { body: record } = await analyst.post('/compliance/records').send(aRecord()).expect(201);
    await analyst.get(`/compliance/records/${record.id}`).expect(200);
    await t.app.get(OutboxRelay).drain();
    await t.app.get(OutboxGauges).refresh();
    exported = seriesNames((await t.http().get('/metrics').expect(200)).text);
  });
  afterAll(() => t.close());

  it('has query panels', () => {
    expect(queried.length).toBeGreaterThan(5);
  });

  it('queries only metrics a live /metrics scrape of the app exports', () => {
    const missing = queried
      .flatMap(metricsInPromQL)
      .filter((metric) => !exported.has(metric) && !SCRAPE_SERIES.has(metric));
    expect(missing).toEqual([]);
  });

  it('charts what operators watch: requests, pool, cache, session store, outbox, queues, search, audit', () => {
    const read = new Set(queried.flatMap(metricsInPromQL));
    for (const metric of [
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_bucket',
      'db_pool_clients',
      'compliance_record_cache_requests_total',
      'session_store_degraded',
      'outbox_backlog',
      'job_queue_depth',
      'search_fallback_total',
      'search_index_lag_seconds',
      'audit_events_appended_total',
    ]) {
      expect(read).toContain(metric);
    }
    expect([...read].some((metric) => metric.startsWith('process_'))).toBe(true);
  });
});

describe('metricsInPromQL', () => {
  it('finds metric names and ignores functions, labels, groupings and ranges', () => {
    expect(
      metricsInPromQL(
        'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{job="x",status_class="5xx"}[5m])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(metricsInPromQL('(a_total{s="t"} - on (instance) b_gauge) / c')).toEqual(['a_total', 'b_gauge', 'c']);
  });
});
