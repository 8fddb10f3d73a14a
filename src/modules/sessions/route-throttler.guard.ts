import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { RouteFacts, RouteScoped } from '../../common/route-pipeline.js';
import { isLoginHandler, isOperationalPath } from './throttling.js';

/**
 * The library's guard, placed only on routes some limit applies to (probes and scrapes get none,
 * and their `skipIf` is not even asked), keying counters by route and a digest of the tracker
 * made once per request rather than once per limit: the storage's key already names the limit,
 * and a client's address stays out of Redis.
 */
@Injectable()
export class RouteThrottlerGuard extends ThrottlerGuard implements RouteScoped {
  appliesTo(route: RouteFacts): boolean {
    return isLoginHandler(route.handler) || !route.paths.every(isOperationalPath);
  }

  private readonly digests = new WeakMap<object, string>();

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    const request = context.switchToHttp().getRequest<object>();
    let digest = this.digests.get(request);
    if (digest === undefined) {
      digest = createHash('sha256').update(tracker).digest('base64url');
      this.digests.set(request, digest);
    }
    return `${context.getClass().name}-${context.getHandler().name}:${digest}`;
  }
}
