import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Middleware } from 'openapi-fetch';
import { OPENAPI_FILE, REPOSITORY_ROOT } from './contract';

/** The `type` of every problem document Prism writes itself (its own errors, not the app's). */
export const PRISM_PROBLEM_TYPE = 'https://stoplight.io/prism/errors#';

export interface PrismProxy {
  baseUrl: string;
  /** From spawning the CLI to "Prism is listening". */
  startupMs: number;
  /** SIGTERM by PID, SIGKILL if it is still running after a few seconds. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return true;
  const timer = new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref());
  return Promise.race([once(child, 'exit').then(() => true), timer]);
}

/**
 * `prism proxy openapi.json <upstream> --errors`: forwards valid requests to the app and validates
 * both directions against the committed document. With --errors it does not forward a request
 * that breaks the document (it answers 401 or 422 itself) and it replaces a response that breaks
 * it by a 500; either way it also sets `sl-violations` and answers with a problem of its own type.
 */
export async function startPrismProxy(upstream: string, timeoutMs = 30_000): Promise<PrismProxy> {
  const port = await freePort();
  const cli = join(REPOSITORY_ROOT, 'node_modules', '.bin', 'prism');
  const args = ['proxy', OPENAPI_FILE, upstream, '--errors', '--host', '127.0.0.1', '--port', String(port)];
  const started = performance.now();
  // This Node, not whichever `node` the shebang finds on PATH.
  const child = spawn(process.execPath, [cli, ...args], { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (child.pid === undefined || hasExited(child)) return;
    process.kill(child.pid, 'SIGTERM');
    if (!(await exited(child, 5_000))) {
      process.kill(child.pid, 'SIGKILL');
      await exited(child, 5_000);
    }
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Prism did not listen in ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      child.stdout?.on('data', () => {
        if (output.includes('Prism is listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Prism exited with ${code} before listening:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl: `http://127.0.0.1:${port}`, startupMs: Math.round(performance.now() - started), stop };
}

export interface Violation {
  request: string;
  status: number;
  /** The `sl-violations` header, or Prism's problem document when it answered itself. */
  reported: unknown;
}

/** A client middleware that records every exchange Prism flagged; `found` stays empty on a clean run. */
export function prismViolations(): { middleware: Middleware; found: Violation[] } {
  const found: Violation[] = [];
  const middleware: Middleware = {
    async onResponse({ request, response }) {
      const header = response.headers.get('sl-violations');
      const problem = /json/.test(response.headers.get('content-type') ?? '')
        ? ((await response
            .clone()
            .json()
            .catch(() => undefined)) as { type?: unknown } | undefined)
        : undefined;
      const prismAnswered = typeof problem?.type === 'string' && problem.type.startsWith(PRISM_PROBLEM_TYPE);
      if (header !== null || prismAnswered) {
        found.push({
          request: `${request.method} ${new URL(request.url).pathname}`,
          status: response.status,
          reported: prismAnswered ? problem : header,
        });
      }
      return undefined;
    },
  };
  return { middleware, found };
}
