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
 * Requests made with an API key are audited whatever their method (machines are accountable for
 * what they read too), with the key's id as actor and `details.actorKind: api-key`; reads are
 * recorded on their own (group-committed) after the handler succeeded.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor, RouteScoped {
  constructor(
    private readonly reflector: Reflector,
    private readonly transactions: TransactionContext,
    private readonly scope: AuditScope,
    private readonly audit: AuditService,
  ) {}

  /**
   * Mutating routes that do not record their own event; reads only where an API key can be the
   * caller, which a public route never has (the session guard does not run there).
   */
  appliesTo(route: RouteFacts): boolean {
    if (isReadOnly(route)) return !route.isPublic;
    return (
      this.reflector.getAllAndOverride<boolean>(AUDIT_SELF_RECORDED_KEY, [route.handler, route.controller]) !== true
    );
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    if (!MUTATING.has(request.method)) {
      return request.user?.kind === 'api-key' ? this.auditRead(request, next) : next.handle();
    }
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

  private auditRead(request: AuditedRequest, next: CallHandler): Observable<unknown> {
    const user = request.user as AuthenticatedUser;
    const read = async () => {
      const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.audit.recordDetached({
        action: `http.${request.method.toLowerCase()}`,
        actorId: user.id,
        request: requestMetaOf(request),
        details: { method: request.method, route: request.routeOptions.url, ...actorDetails(user) },
      });
      return result;
    };
    return from(read());
  }
}

function actorDetails(user: AuthenticatedUser | undefined): Record<string, unknown> {
  if (!user) return {};
  return user.kind === 'api-key' ? { actorRole: user.role, actorKind: 'api-key' } : { actorRole: user.role };
}
