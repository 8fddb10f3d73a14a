import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedApiKey } from './api-key.js';

/** The guard leaves the key a request was authenticated with here (undefined for a session). */
export type ApiKeyRequest = FastifyRequest & { apiKey?: AuthenticatedApiKey };

/** Controller parameter: the API key behind this request, if it was made with one. */
export const CurrentApiKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedApiKey | undefined =>
    context.switchToHttp().getRequest<ApiKeyRequest>().apiKey,
);
