import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { isReadOnly, type RouteFacts, type RouteScoped } from '../../common/route-pipeline.js';
import { TransactionContext } from './transaction-context.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Wraps every mutating HTTP request in one transaction: if the handler throws, nothing it wrote
 * (nor its outbox and audit rows) is kept. Reads run without a transaction.
 */
@Injectable()
export class TransactionInterceptor implements NestInterceptor, RouteScoped {
  constructor(private readonly transactions: TransactionContext) {}

  appliesTo(route: RouteFacts): boolean {
    return !isReadOnly(route);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!MUTATING.has(request.method)) return next.handle();
    return from(this.transactions.run(() => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}
