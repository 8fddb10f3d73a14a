import { Client } from 'pg';
import { call, LoadLoop, Outcome, printDrill, sleep, waitFor } from '../../support/drill-load.js';
import { freePort, SparePostgres } from '../../support/spare-services.js';
import { TransactionFixtureModule } from '../../support/transaction.fixture.js';
import { startTestApp, TestApp } from '../../support/app.js';

const CONNECTION_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 2_000;
const DOWN_MS = 3_000;

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('drill: PostgreSQL restarted under load (a private cluster)', () => {
  let postgres: SparePostgres;
  let t: TestApp;
  let outcomes: Outcome[];
  let downFrom: number;
  let upAt: number;
  let recoveredAt: number;

  beforeAll(async () => {
    postgres = new SparePostgres(await freePort());
    await postgres.init();
    await postgres.start();
    await query(postgres.url, 'CREATE TABLE tx_probe (label text NOT NULL)');
    t = await startTestApp(
      {
        DATABASE_URL: postgres.url,
        DATABASE_CONNECTION_TIMEOUT_MS: String(CONNECTION_TIMEOUT_MS),
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        HEALTH_CHECK_TIMEOUT_MS: '1000',
      },
      [TransactionFixtureModule],
    );
    await t.app.listen(0, '127.0.0.1');
    const base = await t.app.getUrl();
    const load = new LoadLoop(
      (n) => (n % 2 ? call(base, 'POST', `/test-tx/w${n}`, `w${n}`) : call(base, 'GET', '/health/ready', 'ready')),
      { workers: 4, maxRequests: 20_000, maxMs: 40_000 },
    ).start();
    await sleep(1_000);
    await postgres.stop('immediate');
    downFrom = Date.now();
    await sleep(DOWN_MS);
    // Taken before the start: pg_ctl reports readiness only some time after the server accepts.
    upAt = Date.now();
    await postgres.start();
    await waitFor(async () => (await call(base, 'GET', '/health/ready', 'probe')).status === 200, 15_000, 'readiness');
    recoveredAt = Date.now();
    await sleep(1_000);
    outcomes = await load.stop();
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await postgres?.destroy();
  });

  // From half a second after pg_ctl returned (its exit is observed through this busy event loop).
  const duringOutage = () => outcomes.filter((o) => o.startedAt >= downFrom + 500 && o.startedAt + o.ms < upAt);

  it('answers 503 problem+json while Postgres is down, never 500', async () => {
    const down = duringOutage();
    expect(down.length).toBeGreaterThan(5);
    expect(down.filter((o) => o.status !== 503 || !o.contentType?.startsWith('application/problem+json'))).toEqual([]);
    expect(outcomes.filter((o) => o.status === 500 || o.cut || o.error)).toEqual([]);
  });

  it('fails fast: no request waits past the connection plus statement timeout', () => {
    const slowest = Math.max(...outcomes.map((o) => o.ms));
    expect(slowest).toBeLessThan(CONNECTION_TIMEOUT_MS + STATEMENT_TIMEOUT_MS);
  });

  it('reconnects the pool and serves writes again once Postgres is back', () => {
    const after = outcomes.filter((o) => o.startedAt > recoveredAt);
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((o) => o.status !== 200 && o.status !== 201)).toEqual([]);
  });

  it('loses no acknowledged write', async () => {
    const acknowledged = outcomes.filter((o) => o.tag.startsWith('w') && o.status === 201).map((o) => o.tag);
    const rows = await query<{ label: string }>(postgres.url, 'SELECT label FROM tx_probe');
    const stored = new Set(rows.map((row) => row.label));
    const lost = acknowledged.filter((label) => !stored.has(label));
    printDrill({
      drill: 'postgres-restart',
      sent: outcomes.length,
      failed: outcomes.filter((o) => o.status !== 200 && o.status !== 201).length,
      lost: lost.length,
      downMs: upAt - downFrom,
      recoveryMsAfterStartCommand: recoveredAt - upAt,
      slowestMs: Math.max(...outcomes.map((o) => o.ms)),
      acknowledgedWrites: acknowledged.length,
    });
    expect(acknowledged.length).toBeGreaterThan(10);
    expect(lost).toEqual([]);
  });
});
