import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestApp } from '../support/app';

/** Repository-relative, as the npm scripts and the linters name them. */
export const OPENAPI_FILE = 'openapi.json';
export const CLIENT_TYPES_FILE = 'test/client/api.d.ts';

export const REPOSITORY_ROOT = join(__dirname, '..', '..');
export const OPENAPI_PATH = join(REPOSITORY_ROOT, OPENAPI_FILE);

/**
 * GET /docs-json as the committed file holds it: pretty-printed so diffs are reviewable, keys in the
 * order the app serves them (Nest builds the document the same way on every boot).
 */
export async function servedDocument(http: TestApp['http']): Promise<string> {
  const res = await http().get('/docs-json').expect(200);
  return `${JSON.stringify(JSON.parse(res.text), null, 2)}\n`;
}

/**
 * Runs `npm run openapi:client` (openapi-typescript, as redocly.yaml and the script's flags set it
 * up) with `args`; the test uses the script itself so it checks exactly what developers run.
 */
export async function runClientGenerator(...args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', 'openapi:client', '--', ...args], {
      cwd: REPOSITORY_ROOT,
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}
