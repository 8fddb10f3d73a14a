import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemTypeOf } from './problem.js';

const DETAILS: Record<string, string> = {
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is too long.',
  FST_ERR_BAD_URL: 'The URL is malformed.',
};

/**
 * Errors Fastify's router raises before any route (and so before Nest's filters) runs: an over-long
 * path parameter (414) or an undecodable URL (400). Answered as problem documents like the rest;
 * the detail never echoes the URL back.
 */
export function problemFrameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 400;
  void reply
    .code(status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send({
      type: problemTypeOf(status),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: DETAILS[error.code] ?? 'The request could not be routed.',
      requestId: String(request.id),
    });
}
