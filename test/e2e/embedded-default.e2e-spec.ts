import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startAppProcess } from '../support/process';

/** Reads the embedded cluster's port from the log and its password from DATA_DIR. */
async function queryEmbedded(dataDir: string, output: string, sql: string) {
  const port = /embedded PostgreSQL ready on 127\.0\.0\.1:(\d+)/.exec(output)?.[1];
  const password = readFileSync(join(dataDir, 'postgres.password'), 'utf8').trim();
  const client = new Client({
    host: '127.0.0.1',
    port: Number(port),
    user: 'postgres',
    password,
    database: 'compliance_kit',
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded default (no DATABASE_URL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ck-embedded-'));
  const environment = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts a real PostgreSQL, keeps its data across a restart and stops it cleanly', async () => {
    const first = await startAppProcess(environment);
    try {
      const ready = await fetch(`${first.baseUrl}/health/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { details: { postgres: { state: string } } }).details.postgres.state).toBe('up');
      expect((await fetch(`${first.baseUrl}/docs`)).status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(first.output()).toContain('initialising a new cluster');

    const second = await startAppProcess(environment);
    try {
      expect(second.output()).not.toContain('initialising a new cluster');
      expect((await fetch(`${second.baseUrl}/health/ready`)).status).toBe(200);
      const rows = await queryEmbedded(
        dataDir,
        second.output(),
        'SELECT stopped_at FROM service_instances ORDER BY started_at',
      );
      expect(rows).toHaveLength(2);
      expect(rows[0].stopped_at).not.toBeNull();
      expect(rows[1].stopped_at).toBeNull();
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('logs JSON lines carrying the request id, with credentials, query strings and probes left out', async () => {
    const app = await startAppProcess(environment);
    try {
      const response = await fetch(`${app.baseUrl}/no/such/route?email=jane@example.com`, {
        headers: { authorization: 'Bearer s3cr3t-token-value', 'x-request-id': 'trace-log-42' },
      });
      expect(response.status).toBe(404);
      const probe = await fetch(`${app.baseUrl}/health/live`, { headers: { 'x-request-id': 'probe-7' } });
      expect(probe.status).toBe(200);
    } finally {
      await app.stop();
    }
    const lines = app
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLine = lines.find((line) => (line.req as { id?: string } | undefined)?.id === 'trace-log-42');
    expect(requestLine).toMatchObject({ req: { method: 'GET', path: '/no/such/route' }, res: { statusCode: 404 } });
    expect(lines.some((line) => (line.req as { id?: string } | undefined)?.id === 'probe-7')).toBe(false);
    expect(app.output()).not.toContain('s3cr3t-token-value');
    expect(app.output()).not.toContain('jane@example.com');
  });
});
