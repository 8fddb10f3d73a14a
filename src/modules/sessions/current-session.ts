import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Session } from './session.js';
import type { SessionRequest } from './session.guard.js';

/** Controller parameter: the session the guard authenticated this request with. */
export const CurrentSession = createParamDecorator(
  (_: unknown, context: ExecutionContext): Session | undefined =>
    context.switchToHttp().getRequest<SessionRequest>().session,
);
