import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants.js';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerOptions, ThrottlerRequest } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface.js';
import type { FastifyReply } from 'fastify';
import type { RouteFacts, RouteScoped } from '../../common/route-pipeline.js';
import { memoized } from '../../common/memoized.js';
import { isOperationalPath } from '../../common/operational-paths.js';
import { isLoginHandler } from './throttling.js';

/** Distinct trackers (addresses, API keys) remembered with their digest. */
const TRACKERS_KEPT = 4_096;

/** One limit as it applies to one route: everything the library would look up on each request. */
type Limit = Omit<ThrottlerRequest, 'context'> & { skipIf?: ThrottlerOptions['skipIf'] };

/**
 * The library's guard, placed only on routes some limit applies to (probes and scrapes get none,
 * and their `skipIf` is not even asked), keying counters by route and a digest of the tracker
 * made once per client rather than once per limit: the storage's key already names the limit,
 * and a client's address stays out of Redis. A route's limits (its `@Throttle()` and
 * `@SkipThrottle()` over the module's) are resolved on its first request, not on every one; a
 * route whose limit is a function of the request keeps the library's per-request resolution.
 */
@Injectable()
export class RouteThrottlerGuard extends ThrottlerGuard implements RouteScoped {
  /** By controller, then handler: an inherited handler may serve controllers with other limits. */
  private readonly limits = new WeakMap<object, WeakMap<object, Limit[] | 'dynamic'>>();

  appliesTo(route: RouteFacts): boolean {
    return isLoginHandler(route.handler) || !route.paths.every(isOperationalPath);
  }

  /** By tracker: a client's requests all ask for the same one. */
  private readonly digestOf = memoized(TRACKERS_KEPT, (tracker) =>
    createHash('sha256').update(tracker).digest('base64url'),
  );

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const limits = this.limitsOf(context);
    if (limits === 'dynamic') return super.canActivate(context);
    for (const { skipIf, ...limit } of limits) {
      if (!skipIf?.(context)) await this.handleRequest({ context, ...limit });
    }
    return true;
  }

  /** With the standard `Retry-After` (RFC 9110) that clients' retry logic reads; the library sends only `Retry-After-<limit>`. */
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    void context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', detail.timeToBlockExpire);
    return super.throwThrottlingException(context, detail);
  }

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    return `${context.getClass().name}-${context.getHandler().name}:${this.digestOf(tracker)}`;
  }

  private limitsOf(context: ExecutionContext): Limit[] | 'dynamic' {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.limits.get(controller);
    if (!byHandler) this.limits.set(controller, (byHandler = new WeakMap()));
    let limits = byHandler.get(handler);
    if (!limits) byHandler.set(handler, (limits = this.resolve([handler, controller])));
    return limits;
  }

  private resolve(targets: [object, object]): Limit[] | 'dynamic' {
    const override = <T>(key: string, throttler: ThrottlerOptions) =>
      this.reflector.getAllAndOverride<T | undefined>(key + throttler.name, targets as never);
    const limits: Limit[] = [];
    for (const throttler of this.throttlers) {
      if (override<boolean>(THROTTLER_SKIP, throttler)) continue;
      const limit = override<ThrottlerOptions['limit']>(THROTTLER_LIMIT, throttler) ?? throttler.limit;
      const ttl = override<ThrottlerOptions['ttl']>(THROTTLER_TTL, throttler) ?? throttler.ttl;
      const blockDuration =
        override<ThrottlerOptions['blockDuration']>(THROTTLER_BLOCK_DURATION, throttler) ??
        throttler.blockDuration ??
        ttl;
      if (typeof limit !== 'number' || typeof ttl !== 'number' || typeof blockDuration !== 'number') return 'dynamic';
      limits.push({
        throttler,
        limit,
        ttl,
        blockDuration,
        skipIf: throttler.skipIf ?? this.commonOptions.skipIf,
        getTracker:
          override<ThrottlerRequest['getTracker']>(THROTTLER_TRACKER, throttler) ??
          throttler.getTracker ??
          this.commonOptions.getTracker!,
        generateKey:
          override<ThrottlerRequest['generateKey']>(THROTTLER_KEY_GENERATOR, throttler) ??
          throttler.generateKey ??
          this.commonOptions.generateKey!,
      });
    }
    return limits;
  }
}
