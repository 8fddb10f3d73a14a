import type { FastifyInstance } from 'fastify';

/**
 * Raises Fastify's body limit for a few routes only (e.g. bulk ingest), keeping the small global
 * limit everywhere else. Must run before the routes are registered (before `app.init()`).
 */
export function applyRouteBodyLimits(fastify: FastifyInstance, limits: Record<string, number>): void {
  fastify.addHook('onRoute', (route) => {
    const limit = limits[route.url];
    if (limit !== undefined) route.bodyLimit = limit;
  });
}
