import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who and where a request came from, for audit rows and security events. */
export interface RequestMeta {
  requestId: string;
  ip: string;
  userAgent?: string;
}

export function requestMetaOf(request: FastifyRequest): RequestMeta {
  const userAgent = request.headers['user-agent'];
  return { requestId: String(request.id), ip: request.ip, userAgent: userAgent?.slice(0, 512) };
}

/** Controller parameter: `@CurrentRequest() meta: RequestMeta`. */
export const CurrentRequest = createParamDecorator((_: unknown, context: ExecutionContext): RequestMeta =>
  requestMetaOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
