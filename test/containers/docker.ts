import { Shell } from './shell.js';

/** Set on every image this script builds: a hash of what it was built from, to reuse it or rebuild it. */
export const RECIPE_LABEL = 'compliance-kit.recipe';

/** Why the script cannot run here at all (as opposed to a check that failed). */
export class MissingTool extends Error {}

/** The Docker CLI, and the Compose it found (the v2 plugin if there is one, else v1's docker-compose). */
export class Docker {
  private constructor(
    readonly shell: Shell,
    readonly compose: string[],
    readonly description: string,
  ) {}

  static async connect(shell: Shell): Promise<Docker> {
    const server = await shell.run('docker', ['version', '--format', '{{.Server.Version}}']);
    if (server.code !== 0) {
      throw new MissingTool(
        'no Docker engine: `docker version` could not reach a daemon. This test needs one ' +
          '(Debian 12: `apt-get install -y docker.io docker-compose debootstrap`, then start `dockerd`).',
      );
    }
    const plugin = await shell.run('docker', ['compose', 'version', '--short']);
    const standalone = plugin.code === 0 ? plugin : await shell.run('docker-compose', ['version', '--short']);
    if (standalone.code !== 0) {
      throw new MissingTool(
        'no Docker Compose: neither `docker compose` nor `docker-compose` runs ' +
          '(Debian 12: `apt-get install -y docker-compose`).',
      );
    }
    const compose = plugin.code === 0 ? ['docker', 'compose'] : ['docker-compose'];
    const description = `engine ${server.stdout.trim()}, ${compose.join(' ')} ${standalone.stdout.trim()}`;
    return new Docker(shell, compose, description);
  }

  async imageExists(image: string): Promise<boolean> {
    return (await this.shell.run('docker', ['image', 'inspect', image])).code === 0;
  }

  /** The image's RECIPE_LABEL, or undefined when the image or the label is missing. */
  async recipeOf(image: string): Promise<string | undefined> {
    const format = `{{index .Config.Labels "${RECIPE_LABEL}"}}`;
    const result = await this.shell.run('docker', ['image', 'inspect', '--format', format, image]);
    return result.code === 0 && result.stdout.trim() !== '<no value>' ? result.stdout.trim() : undefined;
  }

  /** Pulls the image; false when no registry answered (within a minute). */
  async pull(image: string): Promise<boolean> {
    return (await this.shell.run('docker', ['pull', image], { timeoutMs: 60_000 })).code === 0;
  }

  async build(context: string, tag: string, args: Record<string, string>, options: string[] = []): Promise<void> {
    const buildArgs = Object.entries(args).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
    await this.shell.must('docker', ['build', ...options, ...buildArgs, '-t', tag, context]);
  }

  /** `docker inspect --format` on a container. */
  inspect(container: string, format: string): Promise<string> {
    return this.shell.must('docker', ['inspect', '--format', format, container]);
  }

  /** The container's output, stdout and stderr together. */
  async logs(container: string): Promise<string> {
    const result = await this.shell.run('docker', ['logs', container]);
    return result.stdout + result.stderr;
  }
}
