import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import type { AuthenticatedUser } from '../../common/auth/roles.js';
import { requestMetaOf } from '../../common/request-meta.js';
import { isReadOnly, type RouteFacts, type RouteScoped } from '../../common/route-pipeline.js';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { ANONYMOUS_ACTOR } from './audit-event.js';
import { AUDIT_ACTION_KEY, AUDIT_SELF_RECORDED_KEY, AuditScope } from './audit-scope.js';
import { AuditService } from './audit.service.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type AuditedRequest = FastifyRequest & { user?: AuthenticatedUser };

/**
 * Records one event for every mutating request, in that request's transaction (it joins the one
 * TransactionInterceptor opens, or opens it, whichever runs first), after the handler succeeded.
 * The actor's role goes into `details.actorRole`: the role held then, whatever it becomes later.
 * A request that fails rolls back and leaves no row; its security events are recorded apart.
 * With an API key the key's id is the actor and `details.actorKind: api-key`; reads made with a
 * key are audited by `auditApiKeyReads`, not here.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor, RouteScoped {
  constructor(
    private readonly reflector: Reflector,
    private readonly transactions: TransactionContext,
    private readonly scope: AuditScope,
    private readonly audit: AuditService,
  ) {}

  /** Mutating routes that do not record their own event. */
  appliesTo(route: RouteFacts): boolean {
    if (isReadOnly(route)) return false;
    return (
      this.reflector.getAllAndOverride<boolean>(AUDIT_SELF_RECORDED_KEY, [route.handler, route.controller]) !== true
    );
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    if (!MUTATING.has(request.method)) return next.handle();
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(AUDIT_SELF_RECORDED_KEY, targets)) return next.handle();
    const action =
      this.reflector.getAllAndOverride<string>(AUDIT_ACTION_KEY, targets) ?? `http.${request.method.toLowerCase()}`;
    const route = request.routeOptions.url;
    return from(
      this.transactions.run(() =>
        this.scope.run(async () => {
          const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
          const described = this.scope.pending();
          if (described) {
            await this.audit.record({
              action,
              ...described,
              actorId: request.user?.id ?? ANONYMOUS_ACTOR,
              request: requestMetaOf(request),
              details: { method: request.method, route, ...actorDetails(request.user), ...described.details },
            });
          }
          return result;
        }),
      ),
    );
  }
}

function actorDetails(user: AuthenticatedUser | undefined): Record<string, unknown> {
  if (!user) return {};
  return user.kind === 'api-key' ? { actorRole: user.role, actorKind: 'api-key' } : { actorRole: user.role };
}
