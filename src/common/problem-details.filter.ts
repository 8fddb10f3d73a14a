import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, Problem, ProblemException, problemTypeOf } from './problem.js';

/** Postgres/pg errors that mean "the database is unavailable", not "your request is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '57014', '53300']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  stack?: string;
}

/**
 * Renders every error as an RFC 9457 problem document. Client errors keep their message;
 * anything unexpected becomes a generic 500 whose details go to the log only
 * (message and stack, never driver `detail` fields that can echo row values).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.problemOf(exception, request);
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  /** The document an error becomes for a request; Fastify hooks that fail a request use it too. */
  problemOf(exception: unknown, request: FastifyRequest): Problem {
    const problem = this.toProblem(exception);
    problem.instance = request.url.split('?')[0];
    problem.requestId = String(request.id);
    return problem;
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof ProblemException) {
      return {
        ...exception.extensions,
        type: `/problems/${exception.problemType}`,
        title: STATUS_CODES[exception.getStatus()] ?? 'Error',
        status: exception.getStatus(),
        detail: exception.message,
      };
    }
    if (exception instanceof HttpException) {
      return this.fromHttpException(exception);
    }
    const error = (exception ?? {}) as ErrorLike;
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own request errors: bad JSON, body too large, unsupported media type.
      const problem = this.generic(error.statusCode, error.message);
      return error.statusCode === 400 ? { ...problem, type: '/problems/malformed-body' } : problem;
    }
    if ((error.code && UNAVAILABLE_CODES.has(error.code)) || UNAVAILABLE_MESSAGES.test(error.message ?? '')) {
      this.logger.warn(`database unavailable: ${error.code ?? ''} ${error.message ?? ''}`.trim());
      return {
        ...this.generic(503, 'A required dependency is unavailable; retry shortly.'),
        type: '/problems/dependency-unavailable',
      };
    }
    this.logger.error(
      { err: { name: error.name, message: error.message, code: error.code, stack: error.stack } },
      'unhandled error',
    );
    return this.generic(500, 'An unexpected error occurred.');
  }

  private fromHttpException(exception: HttpException): Problem {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const message =
      typeof body === 'string'
        ? body
        : Array.isArray((body as { message?: unknown }).message)
          ? (body as { message: string[] }).message.join('; ')
          : String((body as { message?: unknown }).message ?? exception.message);
    return this.generic(status, status === 500 ? 'An unexpected error occurred.' : message);
  }

  private generic(status: number, detail?: string): Problem {
    return { type: problemTypeOf(status), title: STATUS_CODES[status] ?? 'Error', status, detail };
  }
}
