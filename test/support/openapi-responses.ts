import type { Readable } from 'node:stream';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The parts of an OpenAPI 3.0 document this check reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, DocumentedResponse> }>>;
  components?: { schemas?: Record<string, unknown> };
}

interface DocumentedResponse {
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, unknown>;
}

/** One response as the app sent it. */
export interface ObservedResponse {
  method: string;
  /** Fastify's route pattern, e.g. `/users/:id`. */
  route: string;
  /** The request path without its query string. */
  url: string;
  status: number;
  contentType: string | undefined;
  /** The serialized payload; a stream is checked for status and content type only. */
  body: string | Buffer | Readable | null | undefined;
  /** The names of the response's headers, lower case. */
  headerNames: string[];
}

export interface ConformanceViolation {
  /** `GET /users/{id}`: the operation as the document names it. */
  operation: string;
  url: string;
  status: number;
  /** Media type without parameters, or `(none)`. */
  contentType: string;
  problem: string;
  /** Where and how the body broke the schema (never the body's values), or what the document allows. */
  errors: string[];
}

export const PROBLEMS = {
  status: 'status not documented',
  contentType: 'content type not documented',
  missingBody: 'no body, but the document describes one',
  notJson: 'body is not JSON',
  schema: 'body breaks the documented schema',
  unusableSchema: 'documented schema does not compile',
  header: 'rate-limit header not documented',
} as const;

/** Headers a client acts on that the document must declare where they are sent. */
const CONTRACT_HEADER = /^(x-ratelimit-|retry-after)/;

/** ajv's id for the document itself, so `#/components/schemas/X` resolves from any response schema. */
const DOCUMENT_ID = 'openapi.json';
const MAX_ERRORS = 5;
/** OpenAPI's own formats describe an encoding (the `type` next to them is what gets checked). */
const ENCODING_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];
const NO_BODY_STATUSES = new Set([204, 304]);

/** Checks responses against what an OpenAPI 3.0 document promises for their operation. */
export class DocumentedResponses {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction | Error>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    for (const format of ENCODING_FORMATS) this.ajv.addFormat(format, true);
    const schemas = Object.fromEntries(
      Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => [name, toJsonSchema(schema)]),
    );
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: { schemas } });
  }

  /** The first way `response` breaks the document, or undefined; undefined too for routes the document leaves out. */
  check(response: ObservedResponse): ConformanceViolation | undefined {
    const path = openApiPath(response.route);
    const method = response.method === 'HEAD' ? 'get' : response.method.toLowerCase();
    const responses = this.document.paths[path]?.[method]?.responses;
    if (!responses) return undefined;

    const mediaType = response.contentType?.split(';')[0].trim().toLowerCase() || undefined;
    const violation = (problem: string, errors: string[] = []): ConformanceViolation => ({
      operation: `${method.toUpperCase()} ${path}`,
      url: response.url,
      status: response.status,
      contentType: mediaType ?? '(none)',
      problem,
      errors,
    });

    const statusKey = documentedStatus(responses, response.status);
    if (!statusKey) return violation(PROBLEMS.status);
    const declared = new Set(Object.keys(responses[statusKey].headers ?? {}).map((name) => name.toLowerCase()));
    const undeclared = response.headerNames.filter((name) => CONTRACT_HEADER.test(name) && !declared.has(name));
    if (undeclared.length) return violation(PROBLEMS.header, undeclared);
    if (response.method === 'HEAD' || NO_BODY_STATUSES.has(response.status)) return undefined;

    const content = responses[statusKey].content ?? {};
    const documentedTypes = Object.keys(content);
    const documented = `documented: ${documentedTypes.join(', ') || '(none)'}`;
    if (!mediaType) return documentedTypes.length ? violation(PROBLEMS.missingBody, [documented]) : undefined;
    const documentedType = documentedTypes.find((candidate) => mediaTypeMatches(candidate, mediaType));
    if (!documentedType) return violation(PROBLEMS.contentType, [documented]);

    const { body } = response;
    if (!isJson(mediaType) || content[documentedType].schema === undefined) return undefined;
    if (body === null || body === undefined || isStream(body)) return undefined;
    const validate = this.validator(`${method} ${path} ${statusKey} ${documentedType}`, content[documentedType].schema);
    if (validate instanceof Error) return violation(PROBLEMS.unusableSchema, [validate.message]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString());
    } catch {
      return violation(PROBLEMS.notJson);
    }
    if (validate(parsed)) return undefined;
    return violation(PROBLEMS.schema, reasons(validate.errors ?? []));
  }

  private validator(key: string, schema: unknown): ValidateFunction | Error {
    let validate = this.validators.get(key);
    if (!validate) {
      try {
        validate = this.ajv.compile(toJsonSchema(schema) as object);
      } catch (error) {
        validate = error instanceof Error ? error : new Error(String(error));
      }
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** `/users/:id` (Fastify) → `/users/{id}` (OpenAPI), dropping any `(regex)` constraint. */
export function openApiPath(route: string): string {
  return route.replace(/:(\w+)(?:\([^)]*\))?/g, '{$1}');
}

/** An explicit code, else its range (`4XX`); `default` is no promise about any particular status. */
function documentedStatus(responses: Record<string, unknown>, status: number): string | undefined {
  const range = `${String(status)[0]}XX`;
  return Object.keys(responses).find((key) => key === String(status) || key.toUpperCase() === range);
}

function mediaTypeMatches(documented: string, actual: string): boolean {
  const [type, subtype] = documented.split(';')[0].trim().toLowerCase().split('/');
  const [actualType, actualSubtype] = actual.split('/');
  return (type === '*' || type === actualType) && (subtype === '*' || subtype === actualSubtype);
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function isStream(body: string | Buffer | Readable): body is Readable {
  return typeof body === 'object' && !Buffer.isBuffer(body) && typeof body.pipe === 'function';
}

/** The `null` alternative that `nullable` adds, and the `anyOf` around it, only repeat what the other branch says. */
function reasons(errors: ErrorObject[]): string[] {
  const notNull = errors.filter((error) => !(error.keyword === 'type' && error.params.type === 'null'));
  const explained = notNull.filter((error) => error.keyword !== 'anyOf');
  return (explained.length ? explained : notNull).slice(0, MAX_ERRORS).map(describe);
}

function describe(error: ErrorObject): string {
  const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
  return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
}

type Schema = Record<string, unknown>;
const SUBSCHEMA = new Set(['items', 'additionalProperties', 'not']);
const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);

/**
 * OpenAPI 3.0 Schema Object → JSON Schema: `nullable: true` becomes a `null` alternative,
 * boolean `exclusiveMinimum`/`exclusiveMaximum` become draft-07 numbers, and local `$ref`s point
 * into the document registered with ajv. Only schema-valued keywords are walked, so `example`,
 * `enum` and `default` values are copied as they are.
 */
export function toJsonSchema(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const { nullable, ...rest } = schema as Schema;
  const converted: Schema = {};
  for (const [keyword, value] of Object.entries(rest)) {
    if (keyword === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
      converted.$ref = `${DOCUMENT_ID}${value}`;
    } else if (keyword === 'properties' && typeof value === 'object' && value !== null) {
      converted.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else if (SUBSCHEMA.has(keyword)) {
      converted[keyword] = toJsonSchema(value);
    } else if (SUBSCHEMA_LISTS.has(keyword) && Array.isArray(value)) {
      converted[keyword] = value.map(toJsonSchema);
    } else {
      converted[keyword] = value;
    }
  }
  exclusiveBoundAsNumber(converted, 'exclusiveMinimum', 'minimum');
  exclusiveBoundAsNumber(converted, 'exclusiveMaximum', 'maximum');
  return nullable === true ? allowNull(converted) : converted;
}

function exclusiveBoundAsNumber(schema: Schema, exclusive: string, inclusive: string): void {
  if (typeof schema[exclusive] !== 'boolean') return;
  if (schema[exclusive] && typeof schema[inclusive] === 'number') {
    schema[exclusive] = schema[inclusive];
    delete schema[inclusive];
  } else {
    delete schema[exclusive];
  }
}

/** Null, or whatever the schema describes: also for `{ nullable, type: 'object', allOf: [$ref] }`, as Nest writes DTO properties. */
function allowNull(schema: Schema): Schema {
  const composed = ['$ref', ...SUBSCHEMA_LISTS].some((keyword) => keyword in schema);
  if (composed || schema.type === undefined) return { anyOf: [schema, { type: 'null' }] };
  const types = [...new Set([...([] as unknown[]).concat(schema.type), 'null'])];
  const nullableEnum = Array.isArray(schema.enum) && !schema.enum.includes(null) ? [...schema.enum, null] : undefined;
  return { ...schema, type: types, ...(nullableEnum && { enum: nullableEnum }) };
}
