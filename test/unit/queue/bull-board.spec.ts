import type { BullJobQueue } from '../../../src/infrastructure/queue/bull-job-queue';
import { BullBoard } from '../../../src/infrastructure/queue/dashboard/bull-board';
import { renderPage } from '../../../src/infrastructure/queue/dashboard/bull-board-ui';

/** The board reads the job queue's Bull queues only when it runs a route. */
const board = () => new BullBoard({ bullQueues: [] } as unknown as BullJobQueue, '/admin/queues', { boardTitle: 'T' });

describe('renderPage (bull-board index.ejs)', () => {
  it('escapes <%= %> values and prints <%- %> values as given', () => {
    expect(renderPage('<title><%= title %></title><%- raw %>', { title: '<b>"x" & \'y\'</b>', raw: '<i>' })).toBe(
      '<title>&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;</title><i>',
    );
  });

  it('refuses template logic and values it was not given', () => {
    expect(() => renderPage('<% if (x) { %>y<% } %>', {})).toThrow(/does not support/);
    expect(() => renderPage('<%= missing %>', {})).toThrow(/no value for missing/);
  });

  it("renders the installed UI's template with the board's base path and title", () => {
    const { page } = board();
    expect(page).toContain('<base href="/admin/queues/" />');
    expect(page).toContain('<title>T</title>');
    expect(page).not.toContain('<%');
  });
});

describe('BullBoard routes', () => {
  it('prefers the route with more literal segments, as Fastify does', () => {
    expect(board().match('GET', '/api/queues/outbox.drain/metrics')?.template).toBe('/api/queues/:queueName/metrics');
    expect(board().match('GET', '/api/queues/outbox.drain/42')).toEqual({
      method: 'GET',
      template: '/api/queues/:queueName/:jobId',
      params: { queueName: 'outbox.drain', jobId: '42' },
    });
    expect(board().match('PUT', '/api/queues/pause')?.template).toBe('/api/queues/pause');
  });

  it('decodes parameters and matches nothing for bad %-encoding, another method or an unknown path', () => {
    expect(board().match('PUT', '/api/queues/a%2Fb/1%3A2/retry')?.params).toEqual({ queueName: 'a/b', jobId: '1:2' });
    expect(board().match('PUT', '/api/queues/%E0%A4%A/1/retry')).toBeUndefined();
    expect(board().match('DELETE', '/api/queues/q/1/retry')).toBeUndefined();
    expect(board().match('GET', '/api/nope')).toBeUndefined();
    expect(board().match('PUT', '/api/queues//pause')).toBeUndefined();
    expect(board().match('PUT', '/api/queues/q//retry')).toBeUndefined();
  });

  it("knows the UI's own pages and no others", () => {
    const b = board();
    expect(['', 'queue/outbox.drain', 'queue/outbox.drain/42', 'job-schedulers'].map((p) => b.isPage(p))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    for (const path of ['nope', 'queue', 'queue/a/b/c', 'queue//', 'static/js/x.js']) {
      expect({ path, page: b.isPage(path) }).toEqual({ path, page: false });
    }
  });

  it('serves the files of the UI by their path below static/, and nothing outside it', () => {
    const b = board();
    expect(b.asset('images/logo.svg')?.contentType).toBe('image/svg+xml');
    expect(b.asset('../index.ejs')).toBeUndefined();
    expect(b.asset('/etc/passwd')).toBeUndefined();
  });
});
