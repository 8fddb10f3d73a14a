import { SetMetadata } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottleSettings } from '../../config/app-config.js';

const LOGIN_ROUTE = 'throttle:login';

/** Marks the login route for the stricter `login` limit. */
export const LoginThrottle = () => SetMetadata(LOGIN_ROUTE, true);

const isLoginRoute = (context: ExecutionContext) => Reflect.getMetadata(LOGIN_ROUTE, context.getHandler()) === true;

/** Probes and scrapes must never be rate limited. */
const isOperational = (context: ExecutionContext) => {
  const url: string = context.switchToHttp().getRequest<{ url: string }>().url ?? '';
  return url.startsWith('/health') || url.startsWith('/metrics');
};

/** Two limits per client IP: the whole API, and (much lower) login. */
export function throttlerOptions(settings: ThrottleSettings, storage: ThrottlerStorage): ThrottlerModuleOptions {
  return {
    storage,
    throttlers: [
      { name: 'api', limit: settings.apiLimit, ttl: settings.windowMs, skipIf: isOperational },
      { name: 'login', limit: settings.loginLimit, ttl: settings.windowMs, skipIf: (c) => !isLoginRoute(c) },
    ],
  };
}
