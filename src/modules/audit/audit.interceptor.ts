import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import type { AuthenticatedUser } from '../../common/auth/roles.js';
import { requestMetaOf } from '../../common/request-meta.js';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { ANONYMOUS_ACTOR } from './audit-event.js';
import { AUDIT_ACTION_KEY, AUDIT_SELF_RECORDED_KEY, AuditScope } from './audit-scope.js';
import { AuditService } from './audit.service.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Records one event for every mutating request, in that request's transaction (it joins the one
 * TransactionInterceptor opens, or opens it, whichever runs first), after the handler succeeded.
 * The actor's role goes into `details.actorRole`: the role held then, whatever it becomes later.
 * A request that fails rolls back and leaves no row; its security events are recorded apart.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly transactions: TransactionContext,
    private readonly scope: AuditScope,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>();
    const targets = [context.getHandler(), context.getClass()];
    if (!MUTATING.has(request.method) || this.reflector.getAllAndOverride<boolean>(AUDIT_SELF_RECORDED_KEY, targets)) {
      return next.handle();
    }
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
              details: {
                method: request.method,
                route,
                ...(request.user ? { actorRole: request.user.role } : {}),
                ...described.details,
              },
            });
          }
          return result;
        }),
      ),
    );
  }
}
