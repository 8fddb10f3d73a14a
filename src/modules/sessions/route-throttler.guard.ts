import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { RouteFacts, RouteScoped } from '../../common/route-pipeline.js';
import { memoized } from '../../common/memoized.js';
import { isLoginHandler, isOperationalPath } from './throttling.js';

/** Distinct trackers (addresses, API keys) remembered with their digest. */
const TRACKERS_KEPT = 4_096;

/**
 * The library's guard, placed only on routes some limit applies to (probes and scrapes get none,
 * and their `skipIf` is not even asked), keying counters by route and a digest of the tracker
 * made once per client rather than once per limit: the storage's key already names the limit,
 * and a client's address stays out of Redis.
 */
@Injectable()
export class RouteThrottlerGuard extends ThrottlerGuard implements RouteScoped {
  appliesTo(route: RouteFacts): boolean {
    return isLoginHandler(route.handler) || !route.paths.every(isOperationalPath);
  }

  /** By tracker: a client's requests all ask for the same one. */
  private readonly digestOf = memoized(TRACKERS_KEPT, (tracker) =>
    createHash('sha256').update(tracker).digest('base64url'),
  );

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    return `${context.getClass().name}-${context.getHandler().name}:${this.digestOf(tracker)}`;
  }
}
