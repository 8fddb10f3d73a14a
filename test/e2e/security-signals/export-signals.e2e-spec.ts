import { startTestApp, type TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { expectConsistent, signalsOf, untilSignals } from './signals.fixture';

const THRESHOLD = 50;

describe('security signals about reads: mass export by one actor', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SIGNAL_MASS_EXPORT_ROWS: String(THRESHOLD), SIGNAL_MASS_EXPORT_WINDOW_SECONDS: '3600' });
    const analyst = await t.as('analyst');
    const records = Array.from({ length: 60 }, () => aRecord());
    await analyst.post('/compliance/records/bulk').send({ records }).expect(201);
  });
  afterAll(() => t.close());

  it('stays quiet for a small export and a page of records', async () => {
    const admin = await t.as('admin');
    const since = new Date(Date.now() - 1000).toISOString();
    const exported = await admin.get(`/audit/events/export?format=csv&from=${since}`).expect(200);
    expect(exported.text.split('\n').length).toBeLessThan(THRESHOLD);
    const page = await admin.get('/compliance/records?limit=20').expect(200);
    expect(page.body.items).toHaveLength(20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await signalsOf(t, 'mass-export')).trail).toEqual([]);
  });

  it('fires once when one actor pages through every record', async () => {
    const analyst = await t.as('analyst');
    let cursor: string | undefined;
    let read = 0;
    do {
      const page = await analyst.get(`/compliance/records?limit=20${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      read += page.body.items.length;
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(read).toBe(60);
    await analyst.get('/compliance/records?limit=20').expect(200);
    const views = await untilSignals(t, 'mass-export', 1);
    expect(views.trail).toEqual([
      expect.objectContaining({
        action: 'security.signal.mass-export',
        actorId: analyst.userId,
        details: { rows: 60, threshold: THRESHOLD, windowSeconds: 3600, source: 'compliance-records' },
      }),
    ]);
    expectConsistent(views, 'warning');
  });

  it('fires for an audit export of more rows than the threshold, counting the rows sent', async () => {
    const auditor = await t.as('auditor');
    // every 401 is an audit event: the trail is sure to hold more than the threshold
    for (let i = 0; i < THRESHOLD; i++) await t.http().get('/auth/session').expect(401);
    const exported = await auditor.get('/audit/events/export?format=ndjson').expect(200);
    const lines = exported.text.split('\n').filter(Boolean).length;
    expect(lines).toBeGreaterThan(THRESHOLD);
    const views = await untilSignals(t, 'mass-export', 2);
    expect(views.trail[0]).toMatchObject({
      actorId: auditor.userId,
      details: { rows: lines, source: 'audit-export' },
    });
    expectConsistent(views, 'warning');
  });
});
