import { connect } from 'node:net';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { REDACTED_PATHS } from '../../../src/common/logging.module';
import { lineFields, logRequests, requestLogSerializers } from '../../../src/common/request-logging';

type Line = Record<string, unknown> & { msg?: string; level?: number; req?: Record<string, unknown> };

/** A Fastify app logging through the app's pino options into `lines`, with a few fixture routes. */
async function appLoggingTo(lines: Line[], level = 'info'): Promise<FastifyInstance> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const logger = pino(
    {
      level,
      mixin: lineFields(false),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: requestLogSerializers,
    },
    sink,
  );
  const fastify = Fastify({ genReqId: (request) => String(request.headers['x-request-id'] ?? 'generated') });
  logRequests(fastify, logger);
  fastify.get('/health/live', () => {
    logger.warn('inside the probe');
    return { status: 'ok' };
  });
  fastify.get('/things', () => ({ ok: true }));
  fastify.get('/missing', (_request, reply) => reply.status(404).send({}));
  fastify.get('/broken', (_request, reply) => reply.status(503).send({}));
  fastify.post('/things', async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    logger.info({ user: { password: 'hunter2' } }, 'after the body and a timer');
    return request.body;
  });
  fastify.get('/slow', () => new Promise((resolve) => setTimeout(() => resolve({}), 300)));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  setImmediate(() => logger.info('outside any request'));
  return fastify;
}

const requestLines = (lines: Line[], id: string) =>
  lines.filter((line) => line.msg?.startsWith('request ') && line.req?.id === id);

describe('request logging', () => {
  let lines: Line[];
  let app: FastifyInstance;
  const url = (path: string) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}${path}`;

  beforeEach(async () => {
    lines = [];
    app = await appLoggingTo(lines);
  });
  afterEach(() => app.close());

  it('writes one line per request: id, method, path without query, agent, status and time', async () => {
    await fetch(url('/things?email=jane@example.com'), {
      headers: { 'x-request-id': 'r-1', 'user-agent': 'spec', authorization: 'Bearer s3cr3t' },
    });
    await app.close();
    const [line, ...more] = requestLines(lines, 'r-1');
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 30,
      req: { id: 'r-1', method: 'GET', path: '/things', userAgent: 'spec' },
      res: { statusCode: 200 },
      msg: 'request completed',
    });
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toMatch(/jane@example|s3cr3t/);
  });

  it('logs client errors at warn and server errors at error, naming the status', async () => {
    await fetch(url('/missing'), { headers: { 'x-request-id': 'r-404' } });
    await fetch(url('/no/route'), { headers: { 'x-request-id': 'r-none' } });
    await fetch(url('/broken'), { headers: { 'x-request-id': 'r-503' } });
    await app.close();
    expect(requestLines(lines, 'r-404')).toMatchObject([{ level: 40, res: { statusCode: 404 } }]);
    expect(requestLines(lines, 'r-none')).toMatchObject([{ level: 40, res: { statusCode: 404 } }]);
    expect(requestLines(lines, 'r-503')).toMatchObject([
      { level: 50, msg: 'request errored', err: { message: 'failed with status code 503' } },
    ]);
  });

  it('writes no line for a probe, yet a line written while it is handled carries the request', async () => {
    await fetch(url('/health/live'), { headers: { 'x-request-id': 'probe-1' } });
    await app.close();
    expect(requestLines(lines, 'probe-1')).toEqual([]);
    expect(lines.find((line) => line.msg === 'inside the probe')).toMatchObject({ req: { id: 'probe-1' } });
  });

  it('puts the request on lines written after the body was read and across awaits, redacted', async () => {
    const res = await fetch(url('/things'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-post' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(res.status).toBe(200);
    await app.close();
    const inner = lines.find((line) => line.msg === 'after the body and a timer');
    expect(inner).toMatchObject({
      req: { id: 'r-post', method: 'POST', path: '/things' },
      user: { password: '[redacted]' },
    });
  });

  it('leaves the request off lines written outside one', async () => {
    await fetch(url('/things'), { headers: { 'x-request-id': 'r-1' } });
    await app.close();
    const outside = lines.find((line) => line.msg === 'outside any request');
    expect(outside).toBeDefined();
    expect(outside?.req).toBeUndefined();
  });

  it('writes "request aborted" once when the client leaves before the answer', async () => {
    const { port } = app.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /slow HTTP/1.1\r\nhost: x\r\nx-request-id: r-gone\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await app.close();
    expect(requestLines(lines, 'r-gone')).toMatchObject([
      { level: 30, msg: 'request aborted', res: { statusCode: null } },
    ]);
  });

  it('writes no line below the level, and still logs the failures above it', async () => {
    const quiet: Line[] = [];
    const warnOnly = await appLoggingTo(quiet, 'warn');
    const port = (warnOnly.server.address() as { port: number }).port;
    await fetch(`http://127.0.0.1:${port}/things`, { headers: { 'x-request-id': 'q-200' } });
    await fetch(`http://127.0.0.1:${port}/missing`, { headers: { 'x-request-id': 'q-404' } });
    await warnOnly.close();
    expect(requestLines(quiet, 'q-200')).toEqual([]);
    expect(requestLines(quiet, 'q-404')).toHaveLength(1);
  });
});
