import { SetMetadata } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { DEFAULT_IPV6_SUBNET_PREFIX, normalizeIp } from '@nestjs/throttler';
import type { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { isOperationalPath } from '../../common/operational-paths.js';
import type { ThrottleSettings } from '../../config/app-config.js';

const LOGIN_ROUTE = 'throttle:login';

/** Marks the login route for the stricter `login` limit. */
export const LoginThrottle = () => SetMetadata(LOGIN_ROUTE, true);

export const isLoginHandler = (handler: object) => Reflect.getMetadata(LOGIN_ROUTE, handler) === true;

const isLoginRoute = (context: ExecutionContext) => isLoginHandler(context.getHandler());

const isOperational = (context: ExecutionContext) =>
  isOperationalPath(context.switchToHttp().getRequest<{ url: string }>().url ?? '');

/** The API key a request authenticated with, if any: its rate limit is counted per key, not per IP. */
export type KeyTracker = (request: FastifyRequest) => Promise<string | undefined>;

/** The limits (below) a route with this handler and path is counted under, for the API document. */
export const rateLimitsOf = (route: { handler: object; path: string }): string[] => [
  ...(isOperationalPath(route.path) ? [] : ['api']),
  ...(isLoginHandler(route.handler) ? ['login'] : []),
];

/**
 * Two limits: the whole API per API key, or per client IP for everything else (sessions, anonymous
 * and refused keys); and (much lower) login per client IP.
 */
export function throttlerOptions(
  settings: ThrottleSettings,
  storage: ThrottlerStorage,
  keyOf: KeyTracker = () => Promise.resolve(undefined),
): ThrottlerModuleOptions {
  const getTracker = async (request: Record<string, unknown>) => {
    const keyId = await keyOf(request as unknown as FastifyRequest);
    return keyId ? `api-key:${keyId}` : normalizeIp(String(request.ip), DEFAULT_IPV6_SUBNET_PREFIX);
  };
  return {
    storage,
    throttlers: [
      { name: 'api', limit: settings.apiLimit, ttl: settings.windowMs, skipIf: isOperational, getTracker },
      { name: 'login', limit: settings.loginLimit, ttl: settings.windowMs, skipIf: (c) => !isLoginRoute(c) },
    ],
  };
}
