import { startTestApp, TestApp } from '../support/app';
import { TransactionFixtureModule } from '../support/transaction.fixture';

describe('one transaction per mutating request', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, [TransactionFixtureModule]);
    await t.db.query('CREATE TABLE tx_probe (label text NOT NULL)');
  });
  afterAll(() => t.close());

  const labels = async () =>
    (await t.db.query<{ label: string }>('SELECT label FROM tx_probe ORDER BY 1')).map((r) => r.label);

  it('keeps every write of a request that succeeds', async () => {
    await t.http().post('/test-tx/ok').expect(201);
    expect(await labels()).toEqual(['ok', 'ok-second']);
  });

  it('keeps none of the writes of a request that fails halfway, and answers a problem document', async () => {
    const res = await t.http().post('/test-tx/fail').expect(500);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.detail).toBe('An unexpected error occurred.');
    expect(await labels()).toEqual(['ok', 'ok-second']);
  });
});
