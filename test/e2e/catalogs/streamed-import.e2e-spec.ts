import { readFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { OscalCatalogReader } from '../../../src/modules/catalogs/oscal-catalog';
import { startTestApp, TestApp } from '../../support/app';
import { waitFor } from '../../support/wait-for';

/** NIST's baselines are read from the shared folder, never copied into the repository. */
const MODERATE = path.join(
  __dirname,
  '../../../../shared/oscal/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json',
);

/**
 * `POST /catalogs/import` reads its body as it arrives: controls are taken out of the text before
 * the upload has ended, and what the buffered parser refuses is refused the same way.
 */
describe('streamed catalog import', () => {
  let t: TestApp;
  let server: Server;
  let token: string;

  /** A raw upload over a socket, chunked (no Content-Length), so the test decides when each part goes. */
  const upload = (framework: string) => {
    const request: ClientRequest = httpRequest({
      port: (server.address() as AddressInfo).port,
      method: 'POST',
      path: `/catalogs/import?framework=${framework}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    const answer = new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      request.on('error', reject);
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      });
    });
    return { request, answer };
  };

  beforeAll(async () => {
    t = await startTestApp();
    token = (await t.as('admin')).token;
    server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });
  afterEach(() => jest.restoreAllMocks());

  it('reads controls while the body is still arriving, and imports the whole catalog in one go', async () => {
    const read = jest.spyOn(OscalCatalogReader.prototype, 'control');
    const body = readFileSync(MODERATE);
    const { request, answer } = upload('NIST-800-53-MODERATE');
    request.write(body.subarray(0, body.length / 2));
    await waitFor(async () => read.mock.calls.length > 0, 10_000);
    const readBeforeTheEnd = read.mock.calls.length;
    request.end(body.subarray(body.length / 2));

    const { status, body: result } = await answer;
    expect(status).toBe(200);
    expect(readBeforeTheEnd).toBeGreaterThan(0);
    expect(read.mock.calls.length).toBeGreaterThan(readBeforeTheEnd);
    const [{ n }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM controls WHERE framework = 'NIST-800-53-MODERATE'`,
    );
    expect(result).toMatchObject({ framework: 'NIST-800-53-MODERATE', controls: n, inserted: n });
  });

  it('refuses a chunked body over the limit with 413, having written nothing', async () => {
    const { request, answer } = upload('TOO-BIG');
    request.on('error', () => undefined);
    const filler = Buffer.alloc(1024 * 1024, ' ');
    request.write('{"catalog": {"uuid": "');
    for (let i = 0; i < 17; i++) request.write(filler);
    request.end('"}}');
    const { status, body } = await answer;
    expect(status).toBe(413);
    expect(body.type).toBe('/problems/payload-too-large');
    expect(await t.db.query(`SELECT 1 FROM control_catalogs WHERE framework = 'TOO-BIG'`)).toEqual([]);
  });

  it.each([
    ['malformed JSON, with where', Buffer.from('{"catalog": {"uuid": 1,}}'), /unexpected } \(at character 23\)/],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), /not valid UTF-8/],
    ['a NUL escape', Buffer.from('{"catalog": "\\u0000"}'), /NUL/],
  ])('answers %s with 400 malformed-body', async (_, bytes, detail) => {
    const { request, answer } = upload('BROKEN');
    request.end(bytes);
    const { status, body } = await answer;
    expect(status).toBe(400);
    expect(body).toMatchObject({ type: '/problems/malformed-body', detail: expect.stringMatching(detail) });
  });

  it('answers a valid document that is not a catalog with the field problems', async () => {
    const { request, answer } = upload('NOT-A-CATALOG');
    request.end('{"catalog": {"uuid": "x", "metadata": {"title": "T"}, "controls": [{"id": "a-1"}]}}');
    const { status, body } = await answer;
    expect(status).toBe(400);
    expect((body.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'catalog.uuid',
      'catalog.controls.0.title',
    ]);
  });
});
