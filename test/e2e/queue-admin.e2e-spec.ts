import type Bull from 'bull';
import type { BullJobQueue } from '../../src/infrastructure/queue/bull-job-queue';
import { JOB_QUEUE, type JobQueue } from '../../src/infrastructure/queue/job-queue';
import { startTestApp, type AuthenticatedAgent, type TestApp } from '../support/app';
import { anApiKey } from '../support/builders/api-key.builder';
import { waitFor } from '../support/wait-for';

/** A job whose data is personal: none of it may reach the summary. */
const PERSONAL = { email: 'alice.queue@example.com', note: 'Alice Example, born 1970-01-01' };
const FAILING = 'test.always-fails';

interface Summary {
  runner: string;
  queues: {
    name: string;
    failed: number;
    recentFailures: { jobId: string | null; attempts: number; reason: string }[];
  }[];
}

/** Registers a handler that always fails and adds one job to it; resolves once the summary shows the failure. */
async function failOneJob(t: TestApp, admin: AuthenticatedAgent): Promise<void> {
  const queue = t.app.get<JobQueue>(JOB_QUEUE);
  queue.process(FAILING, async () => {
    throw new Error('the mail relay refused the connection');
  });
  await queue.add(FAILING, PERSONAL, { attempts: 1 });
  await waitFor(async () => {
    const { body } = await admin.get('/admin/queues/summary').expect(200);
    return (body as Summary).queues.some((q) => q.name === FAILING && q.failed === 1);
  });
}

/** Each answered as the problem `status` and `type`, whatever the route would have done. */
async function expectRefused(
  send: (
    method: 'get' | 'put' | 'post',
    url: string,
  ) => PromiseLike<{ status: number; headers: Record<string, string>; body: { type?: string } }>,
  requests: [method: 'get' | 'put' | 'post', url: string][],
  status: number,
  type: string,
): Promise<void> {
  for (const [method, url] of requests) {
    const res = await send(method, url);
    expect({ url, status: res.status, type: res.body.type }).toEqual({ url, status, type });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
}

describe('queue admin with Bull on Redis: the bull-board dashboard and the summary', () => {
  let t: TestApp;
  let admin: AuthenticatedAgent;
  let mainScript: string;

  const bullQueue = (name: string) =>
    (t.app.get<JobQueue>(JOB_QUEUE) as BullJobQueue).bullQueues.find((q) => q.name === name) as Bull.Queue;
  const failedJobId = async () => String((await bullQueue(FAILING).getFailed())[0].id);

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.as('admin');
    await failOneJob(t, admin);
    const page = await admin.get('/admin/queues').expect(200);
    mainScript = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.text)?.[1] as string;
  });
  afterAll(() => t.close());

  /** Every kind of path under /admin/queues: page, UI route, asset, API read, API write, summary. */
  const everyKind = (): [method: 'get' | 'put' | 'post', url: string][] => [
    ['get', '/admin/queues'],
    ['get', `/admin/queues/queue/${FAILING}`],
    ['get', `/admin/queues/${mainScript}`],
    ['get', '/admin/queues/api/queues'],
    ['put', `/admin/queues/api/queues/${FAILING}/pause`],
    ['put', '/admin/queues/api/queues/pause'],
    ['post', `/admin/queues/api/queues/${FAILING}/add`],
    ['get', '/admin/queues/summary'],
  ];

  it('answers 401 on every path without a session, and 403 to an analyst and to an admin API key', async () => {
    await expectRefused((method, url) => t.http()[method](url), everyKind(), 401, '/problems/unauthenticated');
    await expectRefused(
      (method, url) => t.http()[method](url).set('Authorization', 'Bearer not-a-real-session-token'),
      everyKind(),
      401,
      '/problems/unauthenticated',
    );
    const analyst = await t.as('analyst');
    await expectRefused((method, url) => analyst[method](url), everyKind(), 403, '/problems/forbidden');
    const { body: key } = await admin
      .post('/api-keys')
      .send(anApiKey({ role: 'admin' }))
      .expect(201);
    await expectRefused(
      (method, url) => t.http()[method](url).set('X-API-Key', key.secret),
      everyKind(),
      403,
      '/problems/forbidden',
    );

    expect(await bullQueue(FAILING).isPaused()).toBe(false);
    expect(await bullQueue(FAILING).getJobCounts()).toMatchObject({ waiting: 0, failed: 1 });
    const [{ n }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.forbidden' AND actor_id = $1`,
      [analyst.userId],
    );
    expect(n).toBe(everyKind().length);
  });

  it('serves the page, its UI routes and its files to an admin session, not framed and not cached', async () => {
    for (const url of ['/admin/queues', '/admin/queues/', `/admin/queues/queue/${FAILING}`]) {
      const res = await admin.get(url).expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('<base href="/admin/queues/" />');
      expect(res.text).toContain('<title>Compliance Kit queues</title>');
      expect(res.headers).toMatchObject({ 'x-frame-options': 'DENY', 'cache-control': 'no-store' });
    }
    const script = await admin.get(`/admin/queues/${mainScript}`).expect(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 404 for files and pages the UI does not have, traversal included', async () => {
    for (const url of [
      '/admin/queues/static/js/nope.js',
      '/admin/queues/static/../index.ejs',
      '/admin/queues/static/%2e%2e/%2e%2e/package.json',
      '/admin/queues/static/',
      '/admin/queues/nope',
      '/admin/queues/api/nope',
    ]) {
      const res = await admin.get(url);
      expect({ url, status: res.status, type: res.body.type }).toEqual({
        url,
        status: 404,
        type: '/problems/not-found',
      });
    }
  });

  it('lists the queues through bull-board for an admin session', async () => {
    const { body } = await admin.get(`/admin/queues/api/queues?activeQueue=${FAILING}&status=failed`).expect(200);
    const queue = (body as { queues: { name: string; counts: { failed: number } }[] }).queues.find(
      (q) => q.name === FAILING,
    );
    expect(queue?.counts.failed).toBe(1);
  });

  it('summarises every queue with counts and the failure, never the job data', async () => {
    const res = await admin.get('/admin/queues/summary').expect(200);
    const summary = res.body as Summary;
    expect(summary.runner).toBe('bull');
    expect(summary.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['outbox.drain', FAILING]));
    expect(summary.queues.find((q) => q.name === FAILING)?.recentFailures).toEqual([
      {
        jobId: await failedJobId(),
        attempts: 1,
        failedAt: expect.any(String),
        reason: 'the mail relay refused the connection',
      },
    ]);
    expect(res.text).not.toContain(PERSONAL.email);
    expect(res.text).not.toContain('Alice');
  });

  it('retries a failed job from the dashboard and records who did it in the audit trail', async () => {
    const jobId = await failedJobId();
    const res = await admin.put(`/admin/queues/api/queues/${FAILING}/${jobId}/retry`).expect(200);

    const [event] = await t.db.query<{
      actor_id: string;
      resource_type: string;
      resource_id: string;
      details: Record<string, unknown>;
    }>(
      `SELECT actor_id, resource_type, resource_id, details FROM audit_events WHERE request_id = $1 AND action = 'queue.job.retried'`,
      [res.headers['x-request-id']],
    );
    expect(event).toMatchObject({
      actor_id: admin.userId,
      resource_type: 'job-queue',
      resource_id: FAILING,
      details: { method: 'PUT', jobId, dashboardRoute: '/api/queues/:queueName/:jobId/retry', actorRole: 'admin' },
    });
    // The retried job fails again: it ran once more.
    await waitFor(async () => (await bullQueue(FAILING).getJob(jobId))?.attemptsMade === 2);
  });

  it('pauses and resumes a queue, each audited', async () => {
    await admin.put(`/admin/queues/api/queues/${FAILING}/pause`).expect(200);
    expect(await bullQueue(FAILING).isPaused()).toBe(true);
    await admin.put(`/admin/queues/api/queues/${FAILING}/resume`).expect(200);
    expect(await bullQueue(FAILING).isPaused()).toBe(false);
    const actions = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE actor_id = $1 AND resource_id = $2 AND action LIKE 'queue.%' ORDER BY occurred_at, seq`,
      [admin.userId, FAILING],
    );
    expect(actions.map((row) => row.action)).toEqual(expect.arrayContaining(['queue.paused', 'queue.resumed']));
  });

  it('refuses, with 403 and no change, every write the dashboard does not offer', async () => {
    const jobId = await failedJobId();
    const before = await bullQueue(FAILING).getJobCounts();
    const refused: [string, string, object?][] = [
      ['post', `/admin/queues/api/queues/${FAILING}/add`, { name: 'x', data: PERSONAL }],
      ['put', `/admin/queues/api/queues/${FAILING}/empty`],
      ['put', `/admin/queues/api/queues/${FAILING}/obliterate`],
      ['put', `/admin/queues/api/queues/${FAILING}/clean/delayed`],
      ['put', `/admin/queues/api/queues/${FAILING}/clean/wait`],
      ['put', `/admin/queues/api/queues/${FAILING}/retry/completed`],
      ['put', `/admin/queues/api/queues/${FAILING}/${jobId}/clean`],
      ['patch', `/admin/queues/api/queues/${FAILING}/${jobId}/update-data`, { data: PERSONAL }],
    ];
    for (const [method, url, body] of refused) {
      const res = await (admin[method as 'put'](url) as ReturnType<AuthenticatedAgent['put']>).send(body);
      expect({ url, status: res.status, type: res.body.type }).toEqual({
        url,
        status: 403,
        type: '/problems/forbidden',
      });
    }
    expect(await bullQueue(FAILING).getJobCounts()).toEqual(before);
    expect(await bullQueue(FAILING).getJob(jobId)).not.toBeNull();
  });

  it('answers bad input as a 400 problem, whether the app or bull-board refuses it', async () => {
    const cases: [string, () => PromiseLike<{ status: number; body: { type?: string } }>, string][] = [
      ['prototype key', () => admin.get('/admin/queues/api/queues?__proto__=1'), '/problems/validation'],
      ['NUL in a query', () => admin.get('/admin/queues/api/queues?activeQueue=a%00b'), '/problems/validation'],
      [
        'a body that is no object',
        () => admin.put(`/admin/queues/api/queues/${FAILING}/pause`).send([1]),
        '/problems/validation',
      ],
      ['a page that is no number', () => admin.get('/admin/queues/api/queues?page=first'), '/problems/bad-request'],
      [
        'an unknown status',
        () => admin.get(`/admin/queues/api/queues?activeQueue=${FAILING}&status=lost`),
        '/problems/bad-request',
      ],
    ];
    for (const [label, send, type] of cases) {
      const res = await send();
      expect({ label, status: res.status, type: res.body.type }).toEqual({ label, status: 400, type });
    }
    expect(await bullQueue(FAILING).isPaused()).toBe(false);
  });

  it('answers a write to an unknown queue or job as a 404 problem, not bull-board JSON', async () => {
    for (const url of [`/admin/queues/api/queues/nope/pause`, `/admin/queues/api/queues/${FAILING}/999999/retry`]) {
      const res = await admin.put(url);
      expect({ url, status: res.status, type: res.body.type }).toEqual({
        url,
        status: 404,
        type: '/problems/not-found',
      });
    }
  });
});

describe('queue admin with the in-process runner (no REDIS_URL): the summary only', () => {
  let t: TestApp;
  let admin: AuthenticatedAgent;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: undefined });
    admin = await t.as('admin');
    await failOneJob(t, admin);
  });
  afterAll(() => t.close());

  const paths = (): [method: 'get' | 'put' | 'post', url: string][] => [
    ['get', '/admin/queues'],
    ['get', '/admin/queues/static/js/main.js'],
    ['put', `/admin/queues/api/queues/${FAILING}/pause`],
    ['get', '/admin/queues/summary'],
  ];

  it('answers 401 without a session and 403 to an analyst, as under Bull', async () => {
    await expectRefused((method, url) => t.http()[method](url), paths(), 401, '/problems/unauthenticated');
    const analyst = await t.as('analyst');
    await expectRefused((method, url) => analyst[method](url), paths(), 403, '/problems/forbidden');
  });

  it('has no dashboard: an admin gets a 404 that points at the summary', async () => {
    const res = await admin.get('/admin/queues').expect(404);
    expect(res.body).toMatchObject({
      type: '/problems/not-found',
      detail: expect.stringContaining('/admin/queues/summary'),
    });
    await admin.put(`/admin/queues/api/queues/${FAILING}/pause`).expect(404);
  });

  it('summarises the in-process jobs: counts since boot and the failure, never the job data', async () => {
    const res = await admin.get('/admin/queues/summary').expect(200);
    const summary = res.body as Summary;
    expect(summary.runner).toBe('in-process');
    expect(summary.queues.find((q) => q.name === FAILING)).toEqual({
      name: FAILING,
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 0,
      failed: 1,
      recentFailures: [
        { jobId: null, attempts: 1, failedAt: expect.any(String), reason: 'the mail relay refused the connection' },
      ],
    });
    expect(summary.queues.map((q) => q.name)).toEqual([...summary.queues.map((q) => q.name)].sort());
    expect(res.text).not.toContain(PERSONAL.email);
    expect(res.text).not.toContain('Alice');
  });
});
