import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readText, readYaml, ROOT } from '../../support/deploy-files.js';
import { promtool } from '../../support/promtool.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

const RULES = 'docker/prometheus/rules/compliance-kit.rules.yml';
const TESTS = 'docker/prometheus/tests/compliance-kit.rules.test.yml';
const rules = readYaml<RuleFile>(RULES);
const alerts = rules.groups.flatMap((group) => group.rules.flatMap((rule) => rule.alert ?? []));

/** Runs the unit tests against a rewritten copy of the rules, laid out as the test file expects. */
function testRulesWith(rewrite: (rule: Rule) => Rule): string {
  const directory = mkdtempSync(join(tmpdir(), 'alert-rules-'));
  try {
    const groups = rules.groups.map((group) => ({
      ...group,
      rules: group.rules.map((rule) => (rule.alert ? rewrite(rule) : rule)),
    }));
    mkdirSync(join(directory, 'rules'));
    mkdirSync(join(directory, 'tests'));
    writeFileSync(join(directory, RULES.replace('docker/prometheus/', '')), stringify({ groups }));
    writeFileSync(join(directory, TESTS.replace('docker/prometheus/', '')), readText(TESTS));
    const { status, output } = promtool(['test', 'rules', join(directory, TESTS.replace('docker/prometheus/', ''))]);
    expect(status).not.toBe(0);
    return output;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Alert names of the failed expectations in promtool's report, split by what was expected. */
function failedExpectations(output: string): { firing: Set<string>; quiet: Set<string> } {
  const firing = new Set<string>();
  const quiet = new Set<string>();
  for (const [, alert, expected] of output.matchAll(/alertname: (\w+), time: [^,]+,\s*exp:(\[\]|\[)/g)) {
    (expected === '[]' ? quiet : firing).add(alert);
  }
  return { firing, quiet };
}

describe('Prometheus alert rules (docker/prometheus/rules)', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool(['check', 'rules', join(ROOT, RULES)]);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('pass their promtool unit tests', () => {
    const { status, output } = promtool(['test', 'rules', join(ROOT, TESTS)]);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('cover the signals operations asked for', () => {
    expect(alerts.sort()).toEqual(
      [
        'AuditCheckpointStale',
        'AuditVerificationFailed',
        'ComplianceKitDown',
        'DatabasePoolSaturated',
        'EventLoopLagHigh',
        'HttpErrorRatioHigh',
        'HttpLatencyP99High',
        'JobQueueBacklog',
        'KeyRotationStuck',
        'OutboxBacklogStale',
        'OutboxDeadLetters',
        'ReadinessFailing',
        'SearchIndexLagging',
        'SecuritySignalCritical',
        'SessionStoreDegraded',
        'SiemDeliveryFailing',
        'TimescaleJobsFailing',
      ].sort(),
    );
  });

  it('have a unit test that fails for every alert that never fires', () => {
    const output = testRulesWith((rule) => ({ ...rule, expr: 'vector(1) < 0' }));
    expect([...failedExpectations(output).firing].sort()).toEqual([...alerts].sort());
  });

  it('have a unit test that fails for every alert that always fires', () => {
    const output = testRulesWith(({ for: _for, ...rule }) => ({ ...rule, expr: 'vector(1)' }));
    expect([...failedExpectations(output).quiet].sort()).toEqual([...alerts].sort());
  });
});

describe('where the rules are loaded', () => {
  it('gives the Kubernetes PrometheusRule exactly the groups of the compose rule file', () => {
    const manifest = readYaml<{ kind: string; spec: RuleFile }>('k8s/base/prometheusrule.yaml');
    expect(manifest.kind).toBe('PrometheusRule');
    // On failure: copy the groups of docker/prometheus/rules/compliance-kit.rules.yml under spec.
    expect(manifest.spec.groups).toEqual(rules.groups);
  });

  it('mounts the rule directory into compose Prometheus, whose config loads the rule file', () => {
    const compose = readYaml<{ services: { prometheus: { volumes: string[] } } }>('docker/docker-compose.yml');
    expect(compose.services.prometheus.volumes).toContain('./prometheus/rules:/etc/prometheus/rules:ro');
    const { status, output } = promtool(['check', 'config', join(ROOT, 'docker/prometheus/prometheus.yml')]);
    expect(status).toBe(0);
    expect(output).toContain(`Checking ${join(ROOT, RULES)}`);
  });
});
