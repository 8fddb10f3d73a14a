import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the first directory above this file with a package.json (from test/ or dist/test/). */
function repositoryRoot(directory: string): string {
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${__dirname}`);
    directory = parent;
  }
  return directory;
}

export const ROOT = repositoryRoot(__dirname);
export const DOCKERFILE = join(ROOT, 'docker', 'Dockerfile');
export const COMPOSE_FILE = join(ROOT, 'docker', 'docker-compose.yml');
export const OFFLINE_OVERRIDE = join(ROOT, 'docker', 'docker-compose.offline.yml');
/** One directory per substitute image: its Dockerfile and the files it copies. */
export const RECIPES = join(ROOT, 'test', 'containers', 'images');
