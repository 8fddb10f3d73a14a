import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Level, Logger } from 'pino';
import { traceFields } from './trace-context.js';

/** The response of a request whose line is still to be written: null for a probe, and once written. */
const PENDING = Symbol('requestLogPending');
/** When it arrived (`Date.now()`). */
const STARTED_AT = Symbol('requestLogStartedAt');

declare module 'fastify' {
  interface FastifyRequest {
    [PENDING]: ServerResponse | null;
    [STARTED_AT]: number;
  }
}

/** The request being handled, for the lines written meanwhile (see `lineFields`). */
const handling = new AsyncLocalStorage<FastifyRequest>();

/** Probes arrive every few seconds from every kubelet; their lines would drown the rest. */
const isProbe = (url: string) => url === '/health/live' || url === '/health/ready';

/** What a request line says about the request and the response: no headers but the agent, no query string. */
export const requestLogSerializers = {
  req: (request: FastifyRequest) => ({
    id: request.id,
    method: request.method,
    path: request.url?.split('?')[0],
    userAgent: request.headers?.['user-agent'],
  }),
  res: (response: ServerResponse) => ({ statusCode: response.headersSent ? response.statusCode : null }),
};

/**
 * pino's `mixin`: every line written while a request is handled carries it as `req` (through the
 * serializer above), and with tracing on the active span. Nothing is built per request for it:
 * a line that is never written costs nothing.
 */
export function lineFields(withTrace: boolean): () => Record<string, unknown> {
  return () => {
    const fields: Record<string, unknown> = withTrace ? traceFields() : {};
    const request = handling.getStore();
    if (request) fields.req = request;
    return fields;
  };
}

const levelOf = (status: number): Level => (status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info');

/**
 * One line per request once its response is sent or the client gave up, at info, warn (4xx) or
 * error (5xx), as pino-http wrote them (`request completed`, `request aborted`, `request errored`
 * with an error naming the status) but from Fastify hooks: no middleware and no child logger per
 * request, and a probe is only skipped. Register before the hooks that may answer a request
 * themselves (draining), so their answers are logged too.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  // Without redaction: these lines hold only what the serializers above pick (no header but the
  // agent, no body), so it would find nothing, at ~5 µs a line.
  const lines = logger.child({}, { redact: [] });
  fastify.decorateRequest(PENDING, null);
  fastify.decorateRequest(STARTED_AT, 0);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!isProbe(request.url)) {
      request[PENDING] = reply.raw;
      request[STARTED_AT] = Date.now();
    }
    handling.run(request, done);
  });
  fastify.addHook('onResponse', (request, _reply, done) => {
    writeLine(lines, request, request.raw.readableAborted);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    writeLine(lines, request, true);
    done();
  });
}

function writeLine(logger: Logger, request: FastifyRequest, aborted: boolean): void {
  const res = request[PENDING];
  if (!res) return;
  request[PENDING] = null;
  const level = levelOf(res.statusCode);
  if (!logger.isLevelEnabled(level)) return;
  const responseTime = Date.now() - request[STARTED_AT];
  if (res.statusCode >= 500) {
    const err = new Error(`failed with status code ${res.statusCode}`);
    logger[level]({ req: request, res, err, responseTime }, 'request errored');
  } else {
    logger[level]({ req: request, res, responseTime }, aborted ? 'request aborted' : 'request completed');
  }
}
