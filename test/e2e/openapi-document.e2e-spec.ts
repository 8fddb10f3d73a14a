import { readFile, writeFile } from 'node:fs/promises';
import { startTestApp, TestApp } from '../support/app';
import { CLIENT_TYPES_FILE, OPENAPI_FILE, OPENAPI_PATH, runClientGenerator, servedDocument } from '../client/contract';

/*
 * The committed openapi.json is the published contract: reviewers see API changes as a diff, and
 * the linters, Prism and the generated client read the file rather than a running app.
 */
const WRITE = process.env.OPENAPI_WRITE === '1';
const HOW_TO_UPDATE = 'run `npm run openapi:write` and commit the result';

/** The first line where the two texts differ, with the lines around it, for a readable failure. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  let line = 0;
  while (line < Math.max(want.length, got.length) && want[line] === got[line]) line++;
  const around = (lines: string[]) => lines.slice(Math.max(0, line - 2), line + 3).join('\n');
  return `first difference at line ${line + 1}\n--- committed\n${around(want)}\n+++ generated\n${around(got)}`;
}

describe('the committed OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it(`is exactly what GET /docs-json serves (OPENAPI_WRITE=1 rewrites ${OPENAPI_FILE})`, async () => {
    const served = await servedDocument(t.http);
    if (WRITE) await writeFile(OPENAPI_PATH, served);
    const committed = await readFile(OPENAPI_PATH, 'utf8');
    if (committed !== served) {
      throw new Error(`${OPENAPI_FILE} is out of date: ${HOW_TO_UPDATE}.\n${firstDifference(committed, served)}`);
    }
  });

  it(`has the ${CLIENT_TYPES_FILE} that openapi-typescript generates from it (OPENAPI_WRITE=1 regenerates it)`, async () => {
    if (WRITE) await runClientGenerator();
    const check = await runClientGenerator('--check');
    if (!check.ok) throw new Error(`${CLIENT_TYPES_FILE} is out of date: ${HOW_TO_UPDATE}.\n${check.output}`);
  });
});
