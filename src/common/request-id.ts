import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE = /^[\w.:-]{1,128}$/;
const cache = new WeakMap<IncomingMessage, string>();

/**
 * The id of one request: the caller's `X-Request-Id` when it is a sane token, otherwise a UUID.
 * Fastify and pino-http both ask for it; the WeakMap makes them agree.
 */
export function requestIdOf(request: IncomingMessage): string {
  const known = cache.get(request);
  if (known) return known;
  const header = request.headers[REQUEST_ID_HEADER];
  const id = typeof header === 'string' && ACCEPTABLE.test(header) ? header : randomUUID();
  cache.set(request, id);
  return id;
}
