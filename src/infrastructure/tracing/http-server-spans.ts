import { context, type Span, SpanKind, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extractTraceContext, formatTraceparent } from '../../common/trace-context.js';
import { markFailed, type Tracing } from './tracing.js';

/** Trace Context Level 2's response header: which trace (and server span) answered. */
export const TRACE_RESPONSE_HEADER = 'traceresponse';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * One SERVER span per request, child of the caller's `traceparent` when it sends a valid one; the
 * rest of the request (guards, handler, repositories, the response) runs with it active. Attributes
 * follow the HTTP semantic conventions without the query string, the client address or the user
 * agent (personal data, sealed even in the audit trail). Nothing is registered with tracing off.
 */
export function traceHttpRequests(fastify: FastifyInstance, tracing: Tracing): void {
  if (!tracing.enabled) return;
  fastify.addHook('onRequest', (request, reply, done) => {
    const parent = extractTraceContext(request.headers);
    const route = request.routeOptions.url;
    const span = tracing.startSpan(
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: request.method,
          [ATTR_URL_PATH]: request.url.split('?')[0],
          [ATTR_URL_SCHEME]: request.protocol,
          ...(route && { [ATTR_HTTP_ROUTE]: route }),
        },
      },
      parent,
    ) as Span;
    spans.set(request, span);
    void reply.header(TRACE_RESPONSE_HEADER, formatTraceparent(span.spanContext()));
    context.with(trace.setSpan(parent, span), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    end(request, (span) => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      if (reply.statusCode >= 500) markFailed(span, undefined, String(reply.statusCode));
    });
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    end(request, (span) => markFailed(span, undefined, 'aborted'));
    done();
  });
}

/** Ends the request's span once, whichever of response and abort comes first. */
function end(request: FastifyRequest, finish: (span: Span) => void): void {
  const span = spans.get(request);
  if (!span) return;
  spans.delete(request);
  finish(span);
  span.end();
}
