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
