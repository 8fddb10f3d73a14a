import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies } from 'semver';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

const lock = JSON.parse(readFileSync(join(__dirname, '../../../package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};

/*
 * README tells newcomers that the EBADENGINE warnings an older Node prints during `npm install` are
 * harmless, because every script then runs on the Node of the `node` dev dependency. That holds
 * only while that Node satisfies every locked package's `engines.node`.
 */
describe('the Node the project ships', () => {
  it('satisfies the engines of every locked package', () => {
    const shipped = lock.packages['node_modules/node'].version as string;
    const unsatisfied = Object.entries(lock.packages)
      .map(([path, locked]) => ({ path, range: Array.isArray(locked.engines) ? undefined : locked.engines?.node }))
      .filter(({ range }) => range !== undefined && !satisfies(shipped, range, { includePrerelease: true }));
    expect(unsatisfied).toEqual([]);
  });
});
