import type { FastifyInstance } from 'fastify';
import type { Histogram } from 'prom-client';

export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';
export type HttpLabels = 'method' | 'route' | 'status_class';

/**
 * Times every response. The route label is Fastify's route template (`/users/:id`), or
 * `unmatched` for 404s, so ids and arbitrary paths never become label values.
 */
export function recordHttpMetrics(fastify: FastifyInstance, histogram: Histogram<HttpLabels>): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    histogram.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_class: `${Math.floor(reply.statusCode / 100)}xx`,
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
