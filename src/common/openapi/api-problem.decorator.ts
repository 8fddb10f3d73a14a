import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath, type ResponseObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem.js';
import { ProblemSchema } from './problem.schema.js';

/** An error response as the document shows it: the shared Problem schema and an example of the first type. */
export function problemResponse(status: number, description: string, types: string[]): ResponseObject {
  const example = {
    type: `/problems/${types[0]}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: description,
    instance: '/example',
    requestId: '3b8f9f1e-7c55-4f0e-9d1c-2c9b0b7c1a10',
  };
  const listed = types.map((type) => `\`/problems/${type}\``).join(', ');
  return {
    description: `${description} (${listed})`,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemSchema) }, example } },
  };
}

/** Documents one error status of a route; `types` are the problem types it can carry (docs/errors.md). */
export const ApiProblem = (status: number, description: string, ...types: [string, ...string[]]) =>
  applyDecorators(
    ApiExtraModels(ProblemSchema),
    ApiResponse({ status, ...problemResponse(status, description, types) }),
  );
