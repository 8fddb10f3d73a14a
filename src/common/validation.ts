import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationProblem } from './problem.js';

/** A missing required value is reported alone (`Required`), not with every rule it also fails. */
function messagesOf(constraints: Record<string, string>): string[] {
  return constraints.isDefined ? [constraints.isDefined] : Object.values(constraints);
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: messagesOf(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** The 400 for failed fields, whichever validator found them. */
export function validationProblem(fields: FieldError[]): ValidationProblem {
  return new ValidationProblem(fields, `Invalid field(s): ${fields.map((f) => f.field).join(', ')}.`);
}

/** Global pipe: unknown fields are rejected, payloads become DTO instances. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationProblem(flatten(errors)),
  });
}
