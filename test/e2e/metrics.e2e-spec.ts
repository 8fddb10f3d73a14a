import { startTestApp, TestApp } from '../support/app.js';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ DATABASE_POOL_MAX: '7' })));
  afterAll(() => t.close());

  it('records requests by route template and status class, never raw paths', async () => {
    await t.http().get('/health/live').expect(200);
    await t.http().get('/unknown/12345').expect(404);
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_class="2xx"\} [1-9]/,
    );
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="unmatched",status_class="4xx"\} [1-9]/,
    );
    // Only label values matter: a sample's number may contain these digits by chance.
    expect(res.text).not.toMatch(/\{[^}]*12345[^}]*\}/);
  });

  it('exports default process metrics and the database pool gauges', async () => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(/db_pool_clients\{state="max"\} 7/);
    expect(res.text).toMatch(/db_pool_clients\{state="total"\} [1-9]/);
  });

  it('reports the depth of every job queue the app uses, read at scrape time', async () => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    expect(text).toMatch(/job_queue_depth\{queue="[a-z.:-]+"\} \d+/);
  });
});
