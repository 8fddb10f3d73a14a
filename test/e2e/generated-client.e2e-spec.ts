import { listenOnLoopback } from '../client/compliance-kit-client';
import { createCaller, walkRestPath } from '../client/rest-walk';
import { startTestApp, TestApp } from '../support/app';

describe('the client generated from openapi.json', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '200' });
  });
  afterAll(() => t.close());

  it('walks a REST caller through login, records, search, analytics, audit verify and logout', async () => {
    const baseUrl = await listenOnLoopback(t.app);
    await walkRestPath(baseUrl, await createCaller(t.app, 'admin'));
  });
});
