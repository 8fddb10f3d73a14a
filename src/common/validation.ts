import { type ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationProblem } from './problem.js';
import { textDefect } from './scalars.js';

/** Keys the ValidationPipe would delete silently (prototype pollution); here they are unknown fields. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

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

/** class-validator's whitelist error: the message names the key, the field its whole path. */
export const unknownField = (key: string, parent = ''): FieldError => ({
  field: parent ? `${parent}.${key}` : key,
  messages: [`property ${key} should not exist`],
});

/**
 * What is wrong with a query object or body before class-transformer sees it: a body that is not
 * a JSON object (`null` would become an empty patch), prototype keys (which the pipe would strip
 * without a word, so `?__proto__=1` was the one unknown parameter accepted), and query text that
 * `textDefect` refuses (NUL, lone surrogates).
 */
export function inputDefects(value: unknown, type: ArgumentMetadata['type']): FieldError[] {
  if (type === 'body' && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    return [{ field: 'body', messages: ['the body must be a JSON object'] }];
  }
  if (typeof value !== 'object' || value === null) return [];
  const errors: FieldError[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (PROTOTYPE_KEYS.has(key)) errors.push(unknownField(key));
    else if (type === 'query') {
      const defects = (Array.isArray(item) ? item : [item]).map((text) => typeof text === 'string' && textDefect(text));
      const defect = defects.find(Boolean);
      if (defect) errors.push({ field: key, messages: [`${key} ${defect}`] });
    }
  }
  return errors;
}

/**
 * Global pipe: unknown fields are rejected, payloads become DTO instances. Bodies and query
 * objects are checked by `inputDefects` first; their scalars are parsed by the rules of
 * `validation-rules.ts`, which call `scalars.ts`.
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'body' || metadata.type === 'query') && this.toValidate(metadata)) {
      const defects = inputDefects(value, metadata.type);
      if (defects.length) throw validationProblem(defects);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationProblem(flatten(errors)),
  });
}
