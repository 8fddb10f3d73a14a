import { ENVIRONMENT_VARIABLES, validateEnvironment } from '../../../src/config/environment.js';
import { startTestApp, TestApp } from '../../support/app.js';
import { parseYamlDocuments, readText, readYaml } from '../../support/deploy-files.js';
import { kubernetesValidators } from '../../support/kubernetes-schemas.js';
import { findManifest, hasKubectl, Manifest, renderKustomization } from '../../support/kustomize.js';

const KINDS = [
  'ConfigMap',
  'Deployment',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'PrometheusRule',
  'Service',
  'ServiceAccount',
  'ServiceMonitor',
];
const secretTemplate = parseYamlDocuments(readText('k8s/base/secret.template.yaml'))[0] as Manifest & {
  stringData: Record<string, string>;
};
const composeMigrate = readYaml<{ services: { migrate: { command: string[] } } }>('docker/docker-compose.yml').services
  .migrate;
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const overlays = hasKubectl ? ['k8s/base', 'k8s/overlays/production'] : ['k8s/base'];
if (!hasKubectl) process.stderr.write('kubectl not found: the production overlay is not rendered\n');

describe.each(overlays)('Kubernetes manifests rendered from %s', (directory) => {
  const manifests = renderKustomization(directory);
  const deployment = findManifest(manifests, 'Deployment', 'compliance-kit');
  const pod = deployment.spec.template;
  const app = pod.spec.containers.find((container: { name: string }) => container.name === 'app');
  const config = findManifest(manifests, 'ConfigMap', 'compliance-kit-config').data as Record<string, string>;
  const environment = validateEnvironment({ ...config, ...secretTemplate.stringData });
  const migrate = pod.spec.initContainers.find((container: { name: string }) => container.name === 'migrate');

  it('validates every object against the Kubernetes OpenAPI schemas', async () => {
    const validators = await kubernetesValidators();
    expect(manifests.map((manifest) => manifest.kind).sort()).toEqual(KINDS);
    for (const manifest of [...manifests, secretTemplate]) {
      const validate = validators[`${manifest.apiVersion}/${manifest.kind}`];
      expect(validate).toBeDefined();
      validate(manifest);
    }
  });

  it('probes liveness, readiness and startup on the app port', () => {
    const port = app.ports.find((candidate: { name: string }) => candidate.name === 'http');
    expect(port.containerPort).toBe(environment.PORT);
    expect(app.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(app.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(app.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
  });

  it('gives readiness time to turn 503 and the drain time to finish before the kill', () => {
    const drainMs = environment.SHUTDOWN_READINESS_DELAY_MS + environment.SHUTDOWN_GRACE_MS;
    expect(pod.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs);
    const probe = app.readinessProbe;
    expect(environment.SHUTDOWN_READINESS_DELAY_MS).toBeGreaterThanOrEqual(
      probe.periodSeconds * probe.failureThreshold * 1000,
    );
    expect(environment.HEALTH_CHECK_TIMEOUT_MS).toBeLessThan(probe.timeoutSeconds * 1000);
  });

  it('runs as non-root on a read-only root filesystem, with resources set', () => {
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
    expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
    for (const container of [app, migrate]) {
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources.limits.memory).toEqual(expect.any(String));
      expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    }
    expect(environment.DATA_DIR.startsWith('/tmp/')).toBe(true);
  });

  it('migrates in an init container, with the command compose runs, before the app starts', () => {
    expect(pod.spec.initContainers).toHaveLength(1);
    expect(migrate.command).toEqual(composeMigrate.command);
    expect(migrate.image).toBe(app.image);
    expect(migrate.envFrom).toEqual(app.envFrom);
    // Nothing else starts migrations out of order: no Job (immutable, and unordered under apply -k).
    expect(manifests.filter((manifest) => manifest.kind === 'Job')).toEqual([]);
    expect(app.env).toContainEqual({ name: 'DATABASE_MIGRATIONS_RUN', value: 'false' });
  });

  it('sets only variables the config schema knows', () => {
    const names = [
      ...Object.keys(config),
      ...Object.keys(secretTemplate.stringData),
      ...app.env.map((variable: { name: string }) => variable.name),
    ];
    expect(names.filter((name) => !ENVIRONMENT_VARIABLES.includes(name))).toEqual([]);
    const refs = app.envFrom.map((source: Record<string, { name: string }>) => Object.values(source)[0].name);
    expect(refs).toEqual(['compliance-kit-config', secretTemplate.metadata.name]);
  });

  it('wires Service, ServiceMonitor, HPA, PDB and NetworkPolicy to the API pods', () => {
    const podLabels = pod.metadata.labels;
    const service = findManifest(manifests, 'Service');
    expect(matches(service.spec.selector, podLabels)).toBe(true);
    expect(service.spec.ports[0]).toMatchObject({ name: 'http', targetPort: 'http' });

    const monitor = findManifest(manifests, 'ServiceMonitor');
    expect(matches(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);

    const autoscaler = findManifest(manifests, 'HorizontalPodAutoscaler');
    expect(autoscaler.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'compliance-kit',
    });
    const budget = findManifest(manifests, 'PodDisruptionBudget');
    expect(matches(budget.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(budget.spec.minAvailable).toBeLessThan(autoscaler.spec.minReplicas);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(autoscaler.spec.minReplicas);

    const policy = findManifest(manifests, 'NetworkPolicy');
    expect(matches(policy.spec.podSelector.matchLabels, podLabels)).toBe(true);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
  });

  it('lets each egress port reach only the pods that serve it', () => {
    const policy = findManifest(manifests, 'NetworkPolicy');
    const destinations = Object.fromEntries(
      policy.spec.egress.map((rule: { to?: object[]; ports: { port: number }[] }) => [
        rule.ports.map((port) => port.port).join(','),
        rule.to,
      ]),
    );
    expect(Object.keys(destinations).sort()).toEqual(['53,53', '5432', '6379,26379', '9200']);
    for (const [ports, to] of Object.entries(destinations)) {
      expect({ ports, to }).toEqual({ ports, to: [expect.objectContaining({ podSelector: expect.anything() })] });
      const [{ podSelector }] = to as { podSelector: { matchLabels?: object } }[];
      expect({ ports, labels: Object.keys(podSelector.matchLabels ?? {}).length }).toEqual({ ports, labels: 1 });
    }
  });

  it('holds no real secret: the template is placeholders and is not rendered', () => {
    expect(manifests.some((manifest) => manifest.kind === 'Secret')).toBe(false);
    const placeholder = /example\.(internal|com)|BASE64_32_BYTES|REPLACE_WITH_|CHANGE_ME/;
    for (const [key, value] of Object.entries(secretTemplate.stringData)) {
      expect({ key, placeholder: placeholder.test(value) }).toEqual({ key, placeholder: true });
    }
  });
});

describe('probe paths in the manifests against the running app', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('answers 200 on every probe path the Deployment uses', async () => {
    const deployment = findManifest(renderKustomization('k8s/base'), 'Deployment');
    const app = deployment.spec.template.spec.containers[0];
    for (const probe of [app.startupProbe, app.livenessProbe, app.readinessProbe]) {
      await t.http().get(probe.httpGet.path).expect(200);
    }
  });
});
