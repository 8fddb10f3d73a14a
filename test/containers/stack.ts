import { Docker } from './docker.js';
import { COMPOSE_FILE, OFFLINE_OVERRIDE } from './paths.js';

/**
 * The compose project under test: docker-compose.yml with the offline override, under its own project
 * name so it never touches a `compliance-kit` stack someone runs by hand.
 */
export class Stack {
  constructor(
    private readonly docker: Docker,
    private readonly project: string,
    /** Interpolated into the compose files: images, host ports and the throwaway secrets. */
    private readonly variables: Record<string, string>,
  ) {}

  /**
   * Starts the services by name and nothing else (`--no-deps`): the override cannot drop the app's
   * dependency on Elasticsearch, so the caller starts services in dependency order itself.
   */
  async up(...services: string[]): Promise<void> {
    await this.compose('up', '-d', '--no-deps', '--no-build', ...services);
  }

  async containerOf(service: string): Promise<string> {
    const id = await this.compose('ps', '-q', service);
    if (!id) throw new Error(`no container for ${service}`);
    return id;
  }

  /** Waits for the container's own healthcheck to report healthy. */
  async healthy(service: string, timeoutMs: number): Promise<void> {
    const container = await this.containerOf(service);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.docker.inspect(container, '{{.State.Status}} {{.State.Health.Status}}');
      if (status === 'running healthy') return;
      if (!status.startsWith('running')) throw new Error(`${service} is ${status}`);
      if (Date.now() > deadline) throw new Error(`${service} not healthy after ${timeoutMs / 1000} s (${status})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Waits for a one-shot service to exit; returns its exit code. */
  async exitCodeOf(service: string): Promise<number> {
    return Number(await this.docker.shell.must('docker', ['wait', await this.containerOf(service)]));
  }

  /** `compose stop`: SIGTERM, then SIGKILL after the service's stop_grace_period. */
  async stop(service: string): Promise<void> {
    await this.compose('stop', service);
  }

  async logs(service: string): Promise<string> {
    return this.docker.logs(await this.containerOf(service));
  }

  /** Removes the project's containers, network and volumes (the images stay, as a cache). */
  async down(): Promise<void> {
    await this.compose('down', '--volumes', '--remove-orphans', '--timeout', '20');
  }

  private compose(...args: string[]): Promise<string> {
    const [command, ...prefix] = this.docker.compose;
    const files = ['-p', this.project, '-f', COMPOSE_FILE, '-f', OFFLINE_OVERRIDE];
    return this.docker.shell.must(command, [...prefix, ...files, ...args], { env: this.variables });
  }
}
