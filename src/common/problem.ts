import { HttpException } from '@nestjs/common';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `records.3.score`. */
  field: string;
  messages: string[];
}

/** RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/**
 * Problem types of errors that carry only a status: Fastify's router and body parser, Nest's own
 * exceptions (throttler, ParseUUIDPipe, unknown routes). Each is documented in docs/errors.md.
 */
const STATUS_PROBLEM_TYPES: Record<number, string> = {
  400: 'bad-request',
  404: 'not-found',
  405: 'method-not-allowed',
  408: 'request-timeout',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  431: 'headers-too-large',
  500: 'internal-error',
};

/** `/problems/<type>` for a status without a type of its own. */
export function problemTypeOf(status: number): string {
  return `/problems/${STATUS_PROBLEM_TYPES[status] ?? (status >= 500 ? 'internal-error' : 'bad-request')}`;
}

/**
 * An error that knows its own problem document. `type` is a path under `/problems/`
 * documented in docs/errors.md; `extensions` add members such as health details.
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly problemType: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }
}

export class ValidationProblem extends ProblemException {
  constructor(
    readonly errors: FieldError[],
    detail = 'The request is invalid.',
  ) {
    super(400, 'validation', detail, { errors });
  }
}
