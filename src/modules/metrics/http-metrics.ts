import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';

export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';
export type HttpLabels = 'method' | 'route' | 'status_class';

type Child = ReturnType<Histogram<HttpLabels>['labels']>;
/** Indexed by status / 100 (status codes have three digits). */
const STATUS_CLASSES = 10;

/**
 * Times every response. The route label is Fastify's route template (`/users/:id`), or
 * `unmatched` for 404s, so ids and arbitrary paths never become label values. The labelled
 * child of each route, method and status class is made once, keyed by the route's config.
 */
export function recordHttpMetrics(fastify: FastifyInstance, histogram: Histogram<HttpLabels>): void {
  const children = new WeakMap<object, Map<string, Child[]>>();
  const labelled = (request: FastifyRequest, url: string | undefined, statusClass: number) =>
    histogram.labels(request.method, url ?? 'unmatched', `${statusClass}xx`);
  const childOf = (request: FastifyRequest, statusCode: number): Child => {
    const { config, url } = request.routeOptions;
    const statusClass = Math.floor(statusCode / 100);
    // Every route's config is an object; anything else is counted without the cache.
    if (typeof config !== 'object' || config === null) return labelled(request, url, statusClass);
    let byMethod = children.get(config);
    if (!byMethod) children.set(config, (byMethod = new Map()));
    let byClass = byMethod.get(request.method);
    if (!byClass) byMethod.set(request.method, (byClass = new Array<Child>(STATUS_CLASSES)));
    return (byClass[statusClass] ??= labelled(request, url, statusClass));
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    childOf(request, reply.statusCode).observe(reply.elapsedTime / 1000);
    done();
  });
}
