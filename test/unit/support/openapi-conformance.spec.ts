import { Readable } from 'node:stream';
import {
  DocumentedResponses,
  type ObservedResponse,
  type OpenApiDocument,
  openApiPath,
  PROBLEMS,
} from '../../support/openapi-responses';
import { conformanceMode, summarize } from '../../support/openapi-conformance';

const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });

const document: OpenApiDocument = {
  paths: {
    '/records/{id}': {
      get: {
        responses: {
          '200': { ...json({ $ref: '#/components/schemas/Record' }), headers: { 'X-RateLimit-Limit-api': {} } },
          '4XX': { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
          default: json({}),
        },
      },
      delete: { responses: { '204': { content: {} } } },
    },
    '/records/{id}/export': {
      get: { responses: { '200': { content: { 'text/csv; charset=utf-8': {}, 'application/x-ndjson': {} } } } },
    },
    '/records/{id}/touch': { post: { responses: { '201': { content: {} }, '202': json({ type: 'object' }) } } },
  },
  components: {
    schemas: {
      Record: {
        type: 'object',
        required: ['id', 'score', 'notes', 'owner', 'status'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          score: { type: 'integer', minimum: 0, exclusiveMinimum: true },
          notes: { type: 'string', nullable: true },
          owner: { nullable: true, type: 'object', allOf: [{ $ref: '#/components/schemas/Owner' }] },
          status: { type: 'string', enum: ['open', 'closed'], nullable: true },
        },
        example: { $ref: 'not a schema', nullable: 'kept as data' },
      },
      Owner: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      Problem: { type: 'object', required: ['status'], properties: { status: { type: 'integer' } } },
    },
  },
};

const ID = '0b8c5d4e-3f2a-4b1c-9d8e-7f6a5b4c3d2e';
const record = { id: ID, score: 3, notes: null, owner: { name: 'Ada' }, status: null };

function respond(overrides: Partial<ObservedResponse>): ObservedResponse {
  return {
    method: 'GET',
    route: '/records/:id',
    url: `/records/${ID}`,
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(record),
    headerNames: ['content-type'],
    ...overrides,
  };
}

describe('DocumentedResponses', () => {
  const check = (overrides: Partial<ObservedResponse>) => new DocumentedResponses(document).check(respond(overrides));

  it('finds the operation of a Fastify route by turning `:id` (with or without a regex) into `{id}`', () => {
    expect(openApiPath('/records/:id(^\\d+)/export')).toBe('/records/{id}/export');
    expect(check({})).toBeUndefined();
  });

  it('accepts null where a property is nullable, typed, enumerated or a $ref, and still checks the $ref otherwise', () => {
    expect(check({ body: JSON.stringify({ ...record, notes: 'seen', status: 'open' }) })).toBeUndefined();
    expect(check({ body: JSON.stringify({ ...record, owner: {} }) })?.errors).toEqual([
      "/owner must have required property 'name'",
    ]);
  });

  it('reports where the body breaks the schema, at most five errors and never the values', () => {
    const body = JSON.stringify({ id: 'secret-not-a-uuid', score: 0, notes: 7, owner: 'x', status: 'lost' });
    const violation = check({ body });
    expect(violation).toMatchObject({ operation: 'GET /records/{id}', problem: PROBLEMS.schema });
    expect(violation?.errors).toHaveLength(5);
    expect(violation?.errors[0]).toBe('/id must match format "uuid"');
    expect(violation?.errors[1]).toBe('/score must be > 0');
    expect(JSON.stringify(violation)).not.toContain('secret');
  });

  it('matches the media type without its parameters, and a status through its documented range', () => {
    expect(check({ status: 404, contentType: 'application/problem+json', body: '{"status":404}' })).toBeUndefined();
    expect(check({ status: 404, contentType: 'application/json', body: '{"status":404}' })).toMatchObject({
      problem: PROBLEMS.contentType,
      contentType: 'application/json',
      errors: ['documented: application/problem+json'],
    });
  });

  it('flags a status only `default` would cover', () => {
    expect(check({ status: 500, contentType: 'application/problem+json', body: '{"status":500}' })).toMatchObject({
      problem: PROBLEMS.status,
      status: 500,
      errors: [],
    });
  });

  it('expects no body for 204 and HEAD, and no body where none is documented', () => {
    expect(check({ method: 'DELETE', status: 204, contentType: undefined, body: '' })).toBeUndefined();
    expect(check({ method: 'HEAD', body: '' })).toBeUndefined();
    const touch = { method: 'POST', route: '/records/:id/touch' };
    expect(check({ ...touch, status: 201, contentType: undefined, body: undefined })).toBeUndefined();
    expect(check({ ...touch, status: 201 })).toMatchObject({ problem: PROBLEMS.contentType });
    expect(check({ ...touch, status: 202, contentType: undefined, body: undefined })).toMatchObject({
      problem: PROBLEMS.missingBody,
      contentType: '(none)',
    });
  });

  it('checks a stream for its status and content type only', () => {
    const route = '/records/:id/export';
    const csv = { route, contentType: 'text/csv; charset=utf-8', body: Readable.from(['id\n']) };
    expect(check(csv)).toBeUndefined();
    expect(check({ ...csv, contentType: 'text/plain' })).toMatchObject({ problem: PROBLEMS.contentType });
  });

  it('flags a JSON content type whose body does not parse', () => {
    expect(check({ body: '{"id":' })).toMatchObject({ problem: PROBLEMS.notJson, errors: [] });
  });

  it('flags a rate-limit header the response does not declare, whatever its case, and no other header', () => {
    expect(check({ headerNames: ['x-ratelimit-limit-api', 'x-request-id', 'etag'] })).toBeUndefined();
    expect(check({ headerNames: ['x-ratelimit-limit-api', 'x-ratelimit-remaining-api'] })).toMatchObject({
      problem: PROBLEMS.header,
      errors: ['x-ratelimit-remaining-api'],
    });
    const refused = { status: 429, contentType: 'application/problem+json', body: '{"status":429}' };
    expect(check({ ...refused, headerNames: ['retry-after'] })).toMatchObject({ problem: PROBLEMS.header });
  });

  it('leaves routes and methods the document does not list alone', () => {
    expect(check({ route: '/metrics', contentType: 'text/plain' })).toBeUndefined();
    expect(check({ method: 'PUT', status: 405 })).toBeUndefined();
  });
});

describe('conformance reporting', () => {
  it('enforces unless OPENAPI_CONFORMANCE says report, and refuses other values', () => {
    expect(conformanceMode(undefined)).toBe('enforce');
    expect(conformanceMode('report')).toBe('report');
    expect(() => conformanceMode('warn')).toThrow(/OPENAPI_CONFORMANCE/);
  });

  it('groups violations into one counted line per problem, most frequent first', () => {
    const violation = {
      operation: 'GET /records/{id}',
      url: '/records/1',
      status: 404,
      contentType: 'application/json',
      problem: PROBLEMS.contentType,
      errors: ['documented: application/problem+json'],
    };
    const other = { ...violation, status: 500, problem: PROBLEMS.status, errors: [] };
    expect(summarize([other, violation, { ...violation, url: '/records/2' }]).split('\n')).toEqual([
      `  2× GET /records/{id} → 404 application/json: ${PROBLEMS.contentType} [documented: application/problem+json] (e.g. /records/1)`,
      `  1× GET /records/{id} → 500 application/json: ${PROBLEMS.status} (e.g. /records/1)`,
    ]);
  });
});
