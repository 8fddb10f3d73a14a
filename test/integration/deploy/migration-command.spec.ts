import { spawnSync } from 'node:child_process';
import { MIGRATIONS } from '../../../src/infrastructure/database/migrations/index.js';
import { createTestDatabase, TestDatabase } from '../../support/database.js';
import { readYaml, ROOT } from '../../support/deploy-files.js';

const { command } = readYaml<{ services: { migrate: { command: string[] } } }>('docker/docker-compose.yml').services
  .migrate;

describe('the migration command of the compose service and the Kubernetes Job', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase()));
  afterAll(() => db.drop());

  it('applies every registered migration to an empty database from the built output', async () => {
    const [executable, ...args] = command;
    expect(executable).toBe('node');
    const run = spawnSync(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: db.url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const applied = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY id');
    expect(applied.map((row) => row.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
  });
});
