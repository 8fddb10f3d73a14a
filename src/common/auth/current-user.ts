import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from './roles.js';

/** Where the session guard puts the caller on the request. */
export type AuthenticatedRequest = FastifyRequest & { user?: AuthenticatedUser };

/** Controller parameter: `@CurrentUser() user: AuthenticatedUser` (undefined on public routes). */
export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedUser | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().user,
);
