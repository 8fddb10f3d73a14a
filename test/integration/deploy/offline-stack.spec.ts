import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnvironment } from '../../../src/config/environment.js';
import { substitutes } from '../../containers/base-images.js';
import { environmentOf, readText, readYaml, ROOT } from '../../support/deploy-files.js';

interface ComposeService {
  image?: string;
  environment?: Record<string, unknown>;
}

const base = readYaml<{ services: Record<string, ComposeService> }>('docker/docker-compose.yml').services;
const override = readYaml<{ services: Record<string, ComposeService> }>('docker/docker-compose.offline.yml').services;
/** `${VARIABLE:-default}` → default. */
const defaultOf = (image = '') => /^\$\{[A-Z_]+:-(.+)\}$/.exec(image)?.[1];

describe('docker/docker-compose.offline.yml (the stack `npm run test:containers` runs)', () => {
  it('overrides only services of docker-compose.yml, and none of Elasticsearch and Grafana', () => {
    expect(Object.keys(override).filter((name) => !base[name])).toEqual([]);
    expect(Object.keys(override).sort()).toEqual(['app', 'migrate', 'prometheus', 'redis', 'timescaledb']);
  });

  it('runs TimescaleDB, Redis and Prometheus on local images by default, never named like the official ones', () => {
    for (const name of ['timescaledb', 'redis', 'prometheus']) {
      const image = defaultOf(override[name].image);
      expect({ name, image }).toEqual({ name, image: expect.stringMatching(/^compliance-kit-local\//) });
    }
  });

  it('gives the app and the migration the same image, and the app no Elasticsearch', () => {
    expect(override.migrate.image).toBe(override.app.image);
    const environment = { ...environmentOf(base.app.environment), ...environmentOf(override.app.environment) };
    expect(environment.ELASTICSEARCH_NODE).toBe('');
    expect(validateEnvironment(environment).ELASTICSEARCH_NODE).toBeUndefined();
  });
});

describe('substitute base images (test/containers/images)', () => {
  it('stand in under compliance-kit-local/ names, each built from a recipe on the Debian base', () => {
    for (const substitute of substitutes()) {
      expect(substitute.image).toMatch(/^compliance-kit-local\/[a-z]+:[\w.]+$/);
      const dockerfile = readText(join('test', 'containers', 'images', substitute.recipe, 'Dockerfile'));
      expect(dockerfile).toMatch(/^ARG BASE\nFROM \$\{BASE\}$/m);
    }
  });

  it('are the images the override names by default', () => {
    const local = new Set(substitutes().map((substitute) => substitute.image));
    for (const name of ['timescaledb', 'redis', 'prometheus']) expect(local).toContain(defaultOf(override[name].image));
  });
});

describe('npm run test:containers without a Docker engine', () => {
  const script = join(ROOT, 'dist', 'test', 'containers', 'run.js');

  it('says that it needs one and exits 2', () => {
    expect(existsSync(script)).toBe(true);
    const emptyPath = mkdtempSync(join(tmpdir(), 'no-docker-'));
    try {
      const run = spawnSync(process.execPath, [script], { env: { PATH: emptyPath }, encoding: 'utf8' });
      expect(run.stdout).toContain('Cannot run: no Docker engine');
      expect(run.status).toBe(2);
    } finally {
      rmSync(emptyPath, { recursive: true });
    }
  });
});
