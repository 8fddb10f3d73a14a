import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier.js';
import { AuditService } from '../../src/modules/audit/audit.service.js';
import { OutboxGauges } from '../../src/infrastructure/outbox/outbox-gauges.js';
import { OutboxRelay } from '../../src/infrastructure/outbox/outbox-relay.js';
import { startTestApp, TestApp } from '../support/app.js';
import { aRecord } from '../support/builders/compliance-record.builder.js';
import { metricsInPromQL, readYaml, ROOT } from '../support/deploy-files.js';
import { promtool } from '../support/promtool.js';

/** Series Prometheus adds to every scrape itself; the app cannot export them. */
const SCRAPE_SERIES = new Set(['up']);

/** Every metric family the exposition declares or samples (a labelled family may have no sample yet). */
function familiesIn(exposition: string): Set<string> {
  const names = exposition.split('\n').flatMap((line) => {
    const declared = /^# TYPE (\S+) (\w+)/.exec(line);
    if (!declared) return line && !line.startsWith('#') ? [line.split(/[{\s]/)[0]] : [];
    const [, name, type] = declared;
    return type === 'histogram' ? [name, `${name}_bucket`, `${name}_count`, `${name}_sum`] : [name];
  });
  return new Set(names);
}

/** Whether any source file under src/ names this metric. */
function definedInSource(metric: string): boolean {
  const files = (directory: string): string[] =>
    readdirSync(directory).flatMap((entry) => {
      const path = join(directory, entry);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
  return files(join(ROOT, 'src')).some((file) => readFileSync(file, 'utf8').includes(`'${metric}'`));
}

const sampleOf = (exposition: string, series: string) =>
  exposition
    .split('\n')
    .find((line) => line.startsWith(`${series} `))
    ?.split(' ')[1];

describe('alert rules against the app’s real /metrics', () => {
  const rules = readYaml<{ groups: { rules: { expr: string; record?: string }[] }[] }>(
    'docker/prometheus/rules/compliance-kit.rules.yml',
  ).groups.flatMap((group) => group.rules);
  const recorded = new Set(rules.flatMap((rule) => rule.record ?? []));
  let t: TestApp;
  const scrape = async () => (await t.http().get('/metrics').expect(200)).text;

  beforeAll(async () => {
    t = await startTestApp();
    await t.http().get('/health/ready').expect(200);
    const analyst = await t.as('analyst');
    await analyst.post('/compliance/records').send(aRecord()).expect(201);
    await t.app.get(OutboxRelay).drain();
    await t.app.get(OutboxGauges).refresh();
  });
  afterAll(() => t.close());

  it('passes promtool check metrics (no gauge named like a counter)', async () => {
    const exposition = await scrape();
    const { status, output } = promtool(['check', 'metrics'], exposition);
    expect({ status, output }).toEqual({ status: 0, output: '' });
    // The per-type gauges stay; their `_total` sums are gone (docs/operations.md#metrics-names).
    expect(exposition.match(/^# TYPE nodejs_active_\w+ \w+$/gm)).toEqual([
      '# TYPE nodejs_active_resources gauge',
      '# TYPE nodejs_active_handles gauge',
      '# TYPE nodejs_active_requests gauge',
    ]);
  });

  it('reads only metrics the app exports, or ones no module defines yet', async () => {
    const exported = familiesIn(await scrape());
    const missing = rules
      .flatMap((rule) => metricsInPromQL(rule.expr))
      .filter((metric) => !exported.has(metric) && !SCRAPE_SERIES.has(metric) && !recorded.has(metric));
    // security_signals_total and siem_* come with the security-signals and SIEM modules, which this
    // tree may not have yet; once a module defines one, the app must export it.
    const notYetDefined = (metric: string) => /^(security_signals|siem)_/.test(metric) && !definedInSource(metric);
    expect(missing.filter((metric) => !notYetDefined(metric))).toEqual([]);
  });

  it('exports the age of the newest audit checkpoint, read from Postgres (one is signed at boot)', async () => {
    const [{ created }] = await t.db.query<{ created: number }>(
      'SELECT extract(epoch FROM max(created_at))::float8 AS created FROM audit_checkpoints',
    );
    expect(Number(sampleOf(await scrape(), 'audit_checkpoint_last_timestamp_seconds'))).toBeCloseTo(created, 3);
  });

  it('counts verifications by result, with broken exported at 0 before the first failure', async () => {
    expect(sampleOf(await scrape(), 'audit_verifications_total{result="broken"}')).toBe('0');
    await t.app.get(AuditService).recordDetached({ action: 'test.event', details: { step: 1 } });
    expect((await t.app.get(AuditVerifier).verify()).ok).toBe(true);
    await t.db.query(
      "SET session_replication_role = replica; UPDATE audit_events SET action = 'test.rewritten' WHERE action = 'test.event'",
    );
    expect((await t.app.get(AuditVerifier).verify()).ok).toBe(false);
    const exposition = await scrape();
    expect(sampleOf(exposition, 'audit_verifications_total{result="ok"}')).toBe('1');
    expect(sampleOf(exposition, 'audit_verifications_total{result="broken"}')).toBe('1');
  });

  it('exports the progress of a running key rotation only while one runs', async () => {
    expect(await scrape()).not.toMatch(/^encryption_rotation_reencrypted_values/m);
    const [{ id }] = await t.db.query<{ id: string }>(
      "INSERT INTO encryption_rotations (target_key_id, rows_reencrypted) VALUES ('k-alert-test', 42) RETURNING id",
    );
    expect(sampleOf(await scrape(), 'encryption_rotation_reencrypted_values{key_id="k-alert-test"}')).toBe('42');
    await t.db.query("UPDATE encryption_rotations SET status = 'completed', finished_at = now() WHERE id = $1", [id]);
    expect(await scrape()).not.toMatch(/^encryption_rotation_reencrypted_values/m);
  });
});
