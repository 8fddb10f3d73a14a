import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES, validateEnvironment } from '../../../src/config/environment.js';
import { environmentOf, readText, readYaml, ROOT } from '../../support/deploy-files.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, unknown>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
  stop_grace_period?: string;
}

const compose = readYaml<{ services: Record<string, ComposeService> }>('docker/docker-compose.yml');
const services = compose.services;
/** Interpolated from the host at `docker compose up`; sample values stand in for them here. */
const SAMPLE_SECRETS: Record<string, string> = {
  ENCRYPTION_KEYS: JSON.stringify({ active: 'k1', keys: { k1: Buffer.alloc(32, 1).toString('base64') } }),
  BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
  AUDIT_CHECKPOINT_KEY: 'c'.repeat(64),
  ADMIN_EMAIL: 'admin@example.com',
  ADMIN_PASSWORD: 'a-long-sample-password',
};
const SECRETS = Object.keys(SAMPLE_SECRETS);
const withSampleSecrets = (environment: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, SECRETS.includes(key) ? SAMPLE_SECRETS[key] : value]),
  );
const seconds = (value: string) => Number(/^(\d+)s$/.exec(value)?.[1] ?? NaN);

describe('docker/docker-compose.yml (static checks; no Docker engine here)', () => {
  it('loads in Compose 1.29 (Debian 12) as well as v2: no top-level `name`', () => {
    const topLevel = Object.keys(readYaml('docker/docker-compose.yml')).filter((key) => !key.startsWith('x-'));
    expect(topLevel.sort()).toEqual(['services', 'volumes']);
  });

  it('publishes ports on loopback only, each host port overridable', () => {
    const published = Object.entries(services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => ({ name, port })),
    );
    expect(published.map(({ name }) => name).sort()).toEqual(['app', 'grafana', 'prometheus']);
    for (const { port } of published) expect(port).toMatch(/^127\.0\.0\.1:\$\{[A-Z_]+_HOST_PORT:-\d+\}:\d+$/);
  });

  it('defines the app, its one-shot migration and every backing service', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['app', 'elasticsearch', 'grafana', 'migrate', 'prometheus', 'redis', 'timescaledb'].sort(),
    );
    expect(services.timescaledb.image).toMatch(/^timescale\/timescaledb:/);
  });

  it('gives every long-running service a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') continue;
      const probed = (service.healthcheck?.test?.length ?? 0) > 1;
      expect({ name, probed }).toEqual({ name, probed: true });
    }
  });

  it('takes every secret from the host, never from the file', () => {
    const environment = environmentOf(services.app.environment);
    for (const secret of SECRETS) expect(environment[secret]).toMatch(new RegExp(`^\\$\\{${secret}:\\?.+\\}$`));
  });

  it('passes the app and the migration only variables the config schema knows, with valid values', () => {
    for (const name of ['app', 'migrate']) {
      const environment = withSampleSecrets(environmentOf(services[name].environment));
      expect(Object.keys(environment).filter((key) => !ENVIRONMENT_VARIABLES.includes(key))).toEqual([]);
      expect(() => validateEnvironment(environment)).not.toThrow();
    }
  });

  it('runs migrations once, before the app, which does not run them itself', () => {
    expect(services.migrate.command).toEqual(['node', 'dist/src/cli/migrate.js']);
    expect(services.migrate.image).toBe(services.app.image);
    expect(services.app.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    expect(environmentOf(services.app.environment).DATABASE_MIGRATIONS_RUN).toBe('false');
    expect(environmentOf(services.migrate.environment).DATABASE_URL).toBe(
      environmentOf(services.app.environment).DATABASE_URL,
    );
  });

  it('waits for healthy dependencies and probes the app on its readiness endpoint', () => {
    for (const dependency of ['timescaledb', 'redis', 'elasticsearch']) {
      expect(services.app.depends_on?.[dependency]).toEqual({ condition: 'service_healthy' });
    }
    const port = environmentOf(services.app.environment).PORT;
    expect(services.app.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/health/ready`);
  });

  it('lets the drain finish before Docker kills the app', () => {
    const environment = validateEnvironment(withSampleSecrets(environmentOf(services.app.environment)));
    const drainMs = environment.SHUTDOWN_READINESS_DELAY_MS + environment.SHUTDOWN_GRACE_MS;
    expect(seconds(services.app.stop_grace_period ?? '') * 1000).toBeGreaterThan(drainMs);
  });

  it('keeps Redis durable with AOF and states Elasticsearch security settings explicitly', () => {
    expect(services.redis.command?.join(' ')).toContain('--appendonly yes');
    const elasticsearch = environmentOf(services.elasticsearch.environment);
    expect(elasticsearch['discovery.type']).toBe('single-node');
    expect(Object.keys(elasticsearch)).toEqual(
      expect.arrayContaining([
        'xpack.security.enabled',
        'xpack.security.http.ssl.enabled',
        'xpack.security.transport.ssl.enabled',
      ]),
    );
  });

  it('points the app at the compose services by name', () => {
    const environment = environmentOf(services.app.environment);
    expect(new URL(environment.DATABASE_URL).hostname).toBe('timescaledb');
    expect(new URL(environment.REDIS_URL).hostname).toBe('redis');
    expect(new URL(environment.ELASTICSEARCH_NODE).hostname).toBe('elasticsearch');
  });

  it('has Prometheus scrape the app /metrics on the app port', () => {
    const prometheus = readYaml<{
      scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[];
    }>('docker/prometheus/prometheus.yml');
    const job = prometheus.scrape_configs.find((config) => config.job_name === 'compliance-kit');
    expect(job?.metrics_path).toBe('/metrics');
    expect(job?.static_configs[0].targets).toEqual([`app:${environmentOf(services.app.environment).PORT}`]);
    expect(services.prometheus.volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });

  it('mounts Grafana provisioning that exists and names the datasource the dashboard uses', () => {
    for (const volume of services.grafana.volumes ?? []) {
      expect(existsSync(join(ROOT, 'docker', volume.split(':')[0]))).toBe(true);
    }
    const datasources = readYaml<{ datasources: { uid: string; url: string }[] }>(
      'docker/grafana/provisioning/datasources/prometheus.yml',
    );
    expect(datasources.datasources[0]).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });
    const dashboard = JSON.parse(readText('docker/grafana/dashboards/compliance-kit.json'));
    const uids = new Set(
      dashboard.panels
        .filter((panel: { datasource?: unknown }) => panel.datasource)
        .map((panel: { datasource: { uid: string } }) => panel.datasource.uid),
    );
    expect([...uids]).toEqual(['prometheus']);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readText('docker/Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const [build, runtime] = stages;

  it('builds in one stage and runs the nest build output on Node 24 in another', () => {
    expect(stages.length).toBe(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
    expect(existsSync(join(ROOT, 'dist', 'src', 'main.js'))).toBe(true);
  });

  it('builds offline-capable: no `# syntax=` line, which makes BuildKit fetch a frontend from a registry', () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax\s*=/im);
  });

  it('ships production dependencies only, installed without scripts in the build stage', () => {
    expect(build).toMatch(/npm ci --ignore-scripts/);
    expect(build).toMatch(/npm prune --omit=dev --omit=optional --ignore-scripts/);
    expect(runtime).toContain('COPY --from=build /app/node_modules ./node_modules');
    expect(runtime).not.toMatch(/npm (ci|install|i) /);
  });

  it('trusts an extra CA bundle only when NPM_CA_BUNDLE is given, and only while building', () => {
    expect(build).toMatch(/^ARG NPM_CA_BUNDLE=$/m);
    expect(build).toContain('COPY package.json package-lock.json ${NPM_CA_BUNDLE} ./');
    expect(build).toMatch(/NODE_EXTRA_CA_CERTS=.*npm ci/s);
    expect(runtime).not.toContain('NPM_CA_BUNDLE');
  });

  it('runs as a non-root user under tini, with a liveness healthcheck', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/health\/live/m);
  });
});

describe('.dockerignore', () => {
  const rules = readText('.dockerignore')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'));

  it('excludes everything but what it names', () => {
    expect(rules[0]).toBe('*');
    expect(rules.slice(1).every((rule) => rule.startsWith('!'))).toBe(true);
  });

  it('admits every file the Dockerfile copies from the context, and CA bundles only under docker/ca/', () => {
    const copied = [...readText('docker/Dockerfile').matchAll(/^COPY (?!--from)(.+) \S+$/gm)]
      .flatMap((match) => match[1].split(' '))
      .filter((source) => !source.startsWith('$'));
    expect(copied.length).toBeGreaterThan(5);
    for (const source of copied) expect(rules).toContain(`!${source}`);
    expect(rules.filter((rule) => rule.endsWith('.pem'))).toEqual(['!docker/ca/*.pem']);
  });
});
