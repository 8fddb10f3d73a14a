import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import type { AuthenticatedUser } from '../../common/auth/roles.js';
import { PROBLEM_CONTENT_TYPE } from '../../common/problem.js';
import { ProblemDetailsFilter } from '../../common/problem-details.filter.js';
import { requestMetaOf } from '../../common/request-meta.js';
import { isOperationalPath } from '../../common/operational-paths.js';
import { isReadMethod } from '../../common/route-pipeline.js';
import type { AuditService } from './audit.service.js';

type AuditedRequest = FastifyRequest & { user?: AuthenticatedUser };

/**
 * Reads made with an API key are audited (machines are accountable for what they read too), with
 * the key's id as actor and `details.actorKind: api-key`, once the handler succeeded and before
 * the response leaves; an event that cannot be recorded fails the read. This is a Fastify
 * `onSend` hook on read routes rather than an interceptor, so a read with a session (most of
 * them) pays a property check instead of an rxjs chain; probes and scrapes get no hook at all.
 * Mutating requests are audited by `AuditInterceptor`, inside their transaction.
 */
export function auditApiKeyReads(fastify: FastifyInstance, audit: AuditService): void {
  const problems = new ProblemDetailsFilter();
  const hook: onSendHookHandler = (request: AuditedRequest, reply: FastifyReply, payload, done) => {
    const user = request.user;
    if (user?.kind !== 'api-key' || reply.statusCode >= 400 || !isReadMethod(request.method))
      return done(null, payload);
    audit
      .recordDetached({
        action: `http.${request.method.toLowerCase()}`,
        actorId: user.id,
        request: requestMetaOf(request),
        details: {
          method: request.method,
          route: request.routeOptions.url,
          actorRole: user.role,
          actorKind: 'api-key',
        },
      })
      .then(
        () => done(null, payload),
        (error: unknown) => {
          const problem = problems.problemOf(error, request);
          void reply.code(problem.status).header('content-type', PROBLEM_CONTENT_TYPE);
          done(null, JSON.stringify(problem));
        },
      );
  };
  fastify.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (!methods.some(isReadMethod) || isOperationalPath(route.url)) return;
    route.onSend = [...[route.onSend ?? []].flat(), hook];
  });
}
