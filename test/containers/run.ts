import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { productionSecrets } from '../support/production-secrets.js';
import { type BaseImage, debianBase, officialImage, substituteImage, substitutes } from './base-images.js';
import { type AppEndpoint, eventually, logIn, readiness, scrapedByPrometheus, writeAndReadRecord } from './checks.js';
import { Docker, MissingTool } from './docker.js';
import { DOCKERFILE, ROOT } from './paths.js';
import { Shell } from './shell.js';
import { Stack } from './stack.js';
import { stopsCleanly } from './sigterm.js';
import { say, Steps } from './steps.js';

/**
 * `npm run test:containers` (docs/operations.md#containers-on-a-docker-engine): builds the image and
 * runs the compose stack on a real Docker engine, then tears it down. Opt-in, not part of `npm test`.
 * Exit 0 when every step passed, 1 when one failed, 2 when this machine cannot run it (no engine, no
 * Compose, no debootstrap for a needed substitute).
 */
const PROJECT = 'compliance-kit-test';
const APP_IMAGE = 'compliance-kit-local/app:test';
const CA_COPY = join(ROOT, 'docker', 'ca', 'host-ca-bundle.pem');
const BACKING_SERVICES = ['timescaledb', 'redis', 'prometheus'];

async function main(): Promise<number> {
  const shell = new Shell(join(mkdtempSync(join(tmpdir(), 'ck-containers-')), 'commands.log'));
  const steps = new Steps();
  say('The image and the compose stack on a Docker engine (docs/operations.md, "Containers on a Docker engine").');
  say(`Output of every command: ${shell.logFile}`);
  say('Left out through docker/docker-compose.offline.yml, having no offline source here: Elasticsearch (the app');
  say('searches with Postgres), Grafana, and TimescaleDB (plain PostgreSQL 15 runs as the `timescaledb` service).');
  say();
  let docker: Docker;
  try {
    docker = await steps.run(
      'docker engine',
      () => Docker.connect(shell),
      (found) => found.description,
    );
  } catch (error) {
    if (!(error instanceof MissingTool)) throw error;
    say(`Cannot run: ${error.message}`);
    return 2;
  }
  let failure: unknown;
  try {
    const images = await baseImages(docker, steps);
    await steps.run('app image', () => buildApp(docker, images.node.image));
    await runStack(docker, steps, images);
  } catch (error) {
    failure = error;
    say(error instanceof MissingTool ? `Cannot run: ${error.message}` : `\n${(error as Error)?.stack ?? error}`);
    say(`\nLast lines of ${shell.logFile}:\n${shell.tail(40)}`);
  }
  steps.summary();
  if (failure instanceof MissingTool) return 2;
  return failure || steps.failed ? 1 : 0;
}

/** Official images where they can be had, local substitutes for the rest. */
async function baseImages(docker: Docker, steps: Steps): Promise<Record<string, BaseImage>> {
  const wanted = substitutes();
  const found = await steps.run(
    'official base images',
    async () => (await Promise.all(wanted.map((substitute) => officialImage(docker, substitute)))).filter(isDefined),
    (images) =>
      images.length ? images.map((base) => `${base.image} (${base.how})`).join(', ') : 'none present, no pull',
  );
  const images = Object.fromEntries(found.map((base) => [base.role, base]));
  const missing = wanted.filter((substitute) => !images[substitute.role]);
  if (!missing.length) return images;
  const debian = await steps.run(
    'base image debian',
    () => debianBase(docker),
    (base) => `${base.image} (${base.how})`,
  );
  for (const substitute of missing) {
    images[substitute.role] = await steps.run(
      `base image ${substitute.role}`,
      () => substituteImage(docker, substitute, debian),
      (base) => `${base.image} (${base.how})`,
    );
  }
  return images;
}

const isDefined = <T>(value: T | undefined): value is T => value !== undefined;

async function runStack(docker: Docker, steps: Steps, images: Record<string, BaseImage>): Promise<void> {
  const secrets = productionSecrets();
  const [appPort, prometheusPort] = [await freePort(), await freePort()];
  const app: AppEndpoint = {
    url: `http://127.0.0.1:${appPort}`,
    email: secrets.ADMIN_EMAIL,
    password: secrets.ADMIN_PASSWORD,
  };
  const stack = new Stack(docker, PROJECT, {
    ...secrets,
    APP_IMAGE,
    POSTGRES_IMAGE: images.postgres.image,
    REDIS_IMAGE: images.redis.image,
    PROMETHEUS_IMAGE: images.prometheus.image,
    APP_HOST_PORT: String(appPort),
    PROMETHEUS_HOST_PORT: String(prometheusPort),
  });
  process.once('SIGINT', () => {
    say('Interrupted: tearing the stack down.');
    void stack.down().finally(() => process.exit(130));
  });
  await stack.down(); // whatever an interrupted run left behind
  try {
    await steps.run(
      'backing services healthy',
      async () => {
        await stack.up(...BACKING_SERVICES);
        await Promise.all(BACKING_SERVICES.map((service) => stack.healthy(service, 120_000)));
      },
      () => BACKING_SERVICES.join(', '),
    );
    await steps.run('migrations', () => migrate(stack));
    await steps.run('app ready', () => appReady(stack, app));
    const token = await steps.run(
      'log in',
      () => logIn(app),
      () => 'bootstrap admin, bearer token',
    );
    await steps.run(
      'record written and read',
      () => writeAndReadRecord(app, token),
      (id) => `record ${id}`,
    );
    await steps.run(
      'Prometheus scrapes the app',
      () => scrapedByPrometheus(`http://127.0.0.1:${prometheusPort}`),
      (found) => found,
    );
    await steps.run(
      'SIGTERM: drain and exit 0',
      () => stopsCleanly(stack, docker, app),
      (found) => found,
    );
  } catch (error) {
    const logs = await stack.logs('app').catch(() => '(no app container)');
    say(`\nLast lines of the app's log:\n${logs.trimEnd().split('\n').slice(-20).join('\n')}`);
    throw error;
  } finally {
    await steps.run(
      'tear down',
      () => stack.down(),
      () => 'containers, network and volumes removed; images kept',
    );
  }
}

async function buildApp(docker: Docker, nodeImage: string): Promise<string> {
  const bundle = await hostCaBundle(docker);
  const args: Record<string, string> = { NODE_IMAGE: nodeImage };
  if (bundle) {
    mkdirSync(dirname(CA_COPY), { recursive: true });
    copyFileSync(bundle, CA_COPY);
    args.NPM_CA_BUNDLE = 'docker/ca/host-ca-bundle.pem';
  }
  try {
    await docker.build(ROOT, APP_IMAGE, args, ['-f', DOCKERFILE]);
  } finally {
    rmSync(CA_COPY, { force: true });
    if (existsSync(dirname(CA_COPY)) && !readdirSync(dirname(CA_COPY)).length) rmdirSync(dirname(CA_COPY));
  }
  const megabytes = Number(await docker.shell.must('docker', ['image', 'inspect', '--format', '{{.Size}}', APP_IMAGE]));
  const trust = bundle ? `; npm trusted the host's CA bundle ${bundle} (NPM_CA_BUNDLE)` : '';
  return `${APP_IMAGE} on ${nodeImage}, ${Math.round(megabytes / 1e6)} MB${trust}`;
}

/** The CA file the host's npm reaches the registry with, when it has one: npm in the build needs the same. */
async function hostCaBundle(docker: Docker): Promise<string | undefined> {
  const cafile = (await docker.shell.run('npm', ['config', 'get', 'cafile'])).stdout.trim();
  const candidates = [cafile, process.env.NODE_EXTRA_CA_CERTS ?? ''];
  return candidates.find((file) => file.startsWith('/') && existsSync(file));
}

async function migrate(stack: Stack): Promise<string> {
  await stack.up('migrate');
  const code = await stack.exitCodeOf('migrate');
  if (code !== 0) throw new Error(`migrate exited ${code}`);
  const applied = (await stack.logs('migrate')).match(/has been {1,2}executed successfully/g)?.length ?? 0;
  return `exit 0, ${applied} migrations applied`;
}

async function appReady(stack: Stack, app: AppEndpoint): Promise<string> {
  const started = performance.now();
  await stack.up('app');
  const ready = async () => ((await readiness(app)).status === 200 ? true : undefined);
  await eventually('GET /health/ready answering 200', 120_000, ready);
  const readyAfter = (performance.now() - started) / 1000;
  await stack.healthy('app', 60_000);
  const healthyAfter = (performance.now() - started) / 1000;
  const healthy = `Docker healthcheck healthy after ${healthyAfter.toFixed(1)} s`;
  return `/health/ready 200 after ${readyAfter.toFixed(1)} s; ${healthy}`;
}

/** A loopback port nothing listens on, for a published port (another app may hold 3000 or 9090). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
