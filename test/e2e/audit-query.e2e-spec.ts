import { AuditRepository } from '../../src/modules/audit/audit.repository';
import { AuditService } from '../../src/modules/audit/audit.service';
import { EXPORT_BATCH } from '../../src/modules/audit/audit-reader';
import { startTestApp, TestApp } from '../support/app';

describe('audit search and export', () => {
  let t: TestApp;
  let auditor: Awaited<ReturnType<TestApp['as']>>;
  beforeAll(async () => {
    t = await startTestApp();
    auditor = await t.as('auditor');
  });
  afterAll(() => t.close());

  const get = (path: string) => auditor.get(path);

  it('lets auditors and admins read the trail, and nobody else', async () => {
    for (const path of ['/audit/events', '/audit/events/export?format=ndjson', '/audit/verify']) {
      await t.http().get(path).expect(401);
      await (await t.as('analyst')).get(path).expect(403);
      await (await t.as('admin')).get(path).expect(200);
    }
  });

  describe('GET /audit/events', () => {
    beforeAll(async () => {
      const audit = t.app.get(AuditService);
      for (let i = 0; i < 7; i++) {
        await audit.recordDetached({
          action: 'record.updated',
          actorId: 'u_alice',
          resourceType: 'record',
          resourceId: `r${i}`,
        });
      }
      await audit.recordDetached({ action: 'auth.login.failed', actorId: 'u_bob', severity: 'warning' });
      await audit.recordDetached({ action: 'encryption.tampered', actorId: 'u_bob', severity: 'critical' });
    });

    it('filters by actor, action, resource and severity', async () => {
      const byActor = await get('/audit/events?actor=u_bob').expect(200);
      expect(byActor.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
        'auth.login.failed',
        'encryption.tampered',
      ]);
      const critical = await get('/audit/events?severity=critical').expect(200);
      expect(critical.body.items).toEqual([
        expect.objectContaining({ action: 'encryption.tampered', actorId: 'u_bob' }),
      ]);
      const resource = await get('/audit/events?resourceType=record&resourceId=r3').expect(200);
      expect(resource.body.items).toHaveLength(1);
      const action = await get('/audit/events?action=record.updated').expect(200);
      expect(action.body.items).toHaveLength(7);
    });

    it('filters by time range', async () => {
      const future = await get('/audit/events?from=2999-01-01T00:00:00Z').expect(200);
      expect(future.body).toEqual({ items: [], nextCursor: null });
      const past = await get(`/audit/events?to=${encodeURIComponent(new Date().toISOString())}&actor=u_bob`).expect(
        200,
      );
      expect(past.body.items).toHaveLength(2);
    });

    it('pages newest first with a cursor, without repeating or skipping an event', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/audit/events?action=record.updated&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await get(query).expect(200);
        seen.push(...page.body.items.map((e: { resourceId: string }) => e.resourceId));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
    });

    it('answers 400 problems for a forged cursor, an unknown severity and an oversized limit', async () => {
      for (const query of ['cursor=bm9wZQ', 'severity=fatal', 'limit=501']) {
        const res = await get(`/audit/events?${query}`).expect(400);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
    });
  });

  describe('GET /audit/events/export', () => {
    const TOTAL = 100_000;
    const from = '2000-01-01T00:00:00Z';
    beforeAll(async () => {
      // Bulk rows outside the chains (shard 200): the export reads them like any other event.
      await t.db.query(`
        INSERT INTO audit_events (occurred_at, shard, seq, id, actor_id, action, outcome, severity, details, prev_hash, hash)
        SELECT now() - interval '1 hour' + i * interval '1 microsecond', 200, i, gen_random_uuid(), 'u_bulk',
               'bulk.event', 'success', 'info', jsonb_build_object('i', i), '', ''
        FROM generate_series(1, ${TOTAL}) AS i`);
    });

    it('streams 100,000 events as NDJSON in bounded batches, sending before it has read them all', async () => {
      const repository = t.app.get(AuditRepository);
      const page = jest.spyOn(repository, 'page');
      const fetched = async () => {
        let rows = 0;
        for (const result of page.mock.results) rows += ((await result.value) as unknown[]).length;
        return rows;
      };
      let fetchedAtFirstChunk = -1;
      let lines = 0;
      let lastLine = '';
      const res = await auditor
        .get(`/audit/events/export?format=ndjson&from=${from}&to=2999-01-01T00:00:00Z`)
        .buffer(false)
        .parse((stream, done) => {
          stream.setEncoding('utf8');
          let tail = '';
          stream.on('data', (chunk: string) => {
            if (fetchedAtFirstChunk < 0) void fetched().then((n) => (fetchedAtFirstChunk = n));
            const parts = (tail + chunk).split('\n');
            tail = parts.pop() ?? '';
            lines += parts.length;
            if (parts.length) lastLine = parts[parts.length - 1];
          });
          stream.on('end', () => done(null, undefined));
        })
        .expect(200);
      const calls = page.mock.calls.map(([, , limit]) => limit);
      page.mockRestore();

      expect(res.headers['content-type']).toBe('application/x-ndjson');
      expect(res.headers['content-length']).toBeUndefined();
      expect(lines).toBeGreaterThanOrEqual(TOTAL);
      expect(JSON.parse(lastLine)).toMatchObject({ action: expect.any(String), occurredAt: expect.any(String) });
      expect(Math.max(...calls)).toBe(EXPORT_BATCH);
      expect(calls.length).toBeGreaterThanOrEqual(TOTAL / EXPORT_BATCH);
      expect(fetchedAtFirstChunk).toBeGreaterThan(0);
      expect(fetchedAtFirstChunk).toBeLessThan(TOTAL / 4);
    });

    it('exports CSV with a header and quoted fields', async () => {
      const res = await get(`/audit/events/export?format=csv&from=${from}&to=2999-01-01T00:00:00Z`).expect(200);
      const [header, first] = res.text.split('\n');
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(header).toBe(
        'occurredAt,id,actorId,action,resourceType,resourceId,outcome,severity,requestId,ip,userAgent,details,sensitive,shard,seq,hash,traceId',
      );
      expect(first).toMatch(/,"\{""i"":1\}",,200,1,,$/);
    });

    it('answers a 400 problem for an unknown format', async () => {
      const res = await get('/audit/events/export?format=xml').expect(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    });
  });
});
