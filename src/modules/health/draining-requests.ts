import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from '../../common/problem.js';
import type { DrainSignal } from './drain-signal.js';

/**
 * Replaces Fastify's `return503OnClosing` (a plain JSON body) so requests that reach a closing
 * server still get a problem document, and the connection is not kept alive.
 */
export function refuseRequestsWhileClosing(fastify: FastifyInstance, drain: DrainSignal): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!drain.isClosing) return done();
    void reply
      .status(503)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .header('connection', 'close')
      .send({
        type: '/problems/draining',
        title: 'Service Unavailable',
        status: 503,
        detail: 'The instance is shutting down.',
        instance: request.url.split('?')[0],
        requestId: String(request.id),
      });
  });
}
