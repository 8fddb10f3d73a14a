import { ParseUUIDPipe } from '@nestjs/common';
import { ProblemException } from './problem.js';

/** A path id that is not a UUID names nothing: 404 like an unknown id, not a 400. */
export const uuidParam = (detail: string, type = 'not-found') =>
  new ParseUUIDPipe({ exceptionFactory: () => new ProblemException(404, type, detail) });
