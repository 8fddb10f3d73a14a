import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, type OperationObject, SwaggerModule } from '@nestjs/swagger';
import { APP_VERSION } from '../app-version.js';
import { applyBodyMediaTypes } from './api-body-media-types.decorator.js';
import { problemResponse } from './api-problem.decorator.js';
import { describeRateLimits } from './rate-limit-headers.js';
import { type RouteAccess, routeAccess } from './route-access.js';

export const SESSION_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

const TAGS: Record<string, string> = {
  auth: 'Log in, sessions and log out',
  'api keys': 'Credentials for machine clients: create, rotate, revoke',
  users: 'Users and their encrypted PII',
  subjects: 'Data-subject rights: erasure by crypto-shredding, access and portability (docs/privacy.md)',
  'compliance records': 'Assessment results per entity, framework and control',
  'compliance analytics': 'Time series and dashboard figures over the records',
  catalogs: 'Control catalogs per framework, OSCAL in and out',
  search: 'Full-text search over records, users and the audit trail',
  audit: 'The hash-chained audit trail: query, export, verify',
  security: 'Security signals the detectors raised (docs/security.md)',
  encryption: 'Data keys and their rotation',
  queues: 'Background job queues: counts and recent failures, for admins',
  health: 'Kubernetes probes',
};

/** Fastify parses a body on these, whether or not the route reads one. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/** The rate limits (throttler names) that apply to a route. */
export type RateLimitsOf = (route: RouteAccess) => string[];

/**
 * The OpenAPI document served at /docs-json. Security and the statuses every route shares
 * (401/403 from the session guard, which also takes API keys, 429 and the rate-limit headers from the throttler, 400/413/415 from the body parser and
 * query validation, 404 from a path id that is not one, 503 from the database or a draining instance) are added here from the same rules the
 * app enforces, so a route cannot be documented with less than it really answers.
 */
export function buildApiDocument(app: INestApplication, rateLimitsOf: RateLimitsOf): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Compliance Kit')
    .setDescription(
      'Compliance records, encrypted PII, sessions, audit trail, search and health. Every error is an ' +
        'RFC 9457 problem document (`application/problem+json`) whose `type` is listed in docs/errors.md.',
    )
    .setVersion(APP_VERSION)
    .addServer('/', 'The host that serves this document')
    .addSecurity(SESSION_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description:
        'The opaque session token returned by POST /auth/login (not a JWT), or an API key (`ck_live_…`) ' +
        'where the operation accepts keys.',
    })
    .addSecurity(API_KEY_SCHEME, {
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
      description: 'An API key (`ck_live_…`) from POST /api-keys; the same as sending it as a bearer token.',
    });
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const config = builder.build();
  // A proprietary product has no license URL to give; DocumentBuilder would print an empty one.
  config.info.license = { name: 'Proprietary (UNLICENSED)' };
  const document = SwaggerModule.createDocument(app, config);
  const routes = routeAccess(app.get(ModulesContainer));
  describeAccess(document, routes);
  const limits = new Map(
    routes.map((route) => [document.paths[route.path]?.[route.method as 'get'], rateLimitsOf(route)]),
  );
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, OperationObject][]) {
      const limitedBy = limits.get(operation) ?? [];
      applyBodyMediaTypes(operation);
      addSharedProblems(path, method, operation, limitedBy.length > 0);
      describeRateLimits(document, operation, limitedBy);
    }
  }
  return document;
}

function describeAccess(document: OpenAPIObject, routes: RouteAccess[]): void {
  const covered = new Set<OperationObject>();
  for (const route of routes) {
    const operation = document.paths[route.path]?.[route.method as 'get'] as OperationObject | undefined;
    if (!operation) continue;
    covered.add(operation);
    if (route.isPublic) {
      operation.security = [];
      continue;
    }
    operation.security = route.sessionOnly
      ? [{ [SESSION_SCHEME]: [] }]
      : [{ [SESSION_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }];
    operation.responses['401'] ??= problemResponse(
      401,
      'No, unknown, revoked or expired session token or API key (or a key used from outside its networks); ' +
        'a session used from another device than its own, or waiting for POST /auth/reauthenticate',
      ['unauthenticated', 'session-device-mismatch', 'reauthentication-required'],
    );
    const who = route.roles.length ? `roles ${route.roles.join(', ')} and admin` : 'any role';
    const credential = route.sessionOnly ? 'a session token (API keys get 403)' : 'a session token or an API key';
    operation.description = `${operation.description ?? ''}\n\nNeeds ${credential}; ${who}.`.trim();
    if (route.roles.length || route.sessionOnly) {
      const refusals = [
        ...(route.roles.length ? [`Only ${who} may call this route`] : []),
        ...(route.sessionOnly ? ['API keys may not call this route'] : []),
      ];
      operation.responses['403'] ??= problemResponse(403, refusals.join('; '), ['forbidden']);
    }
  }
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!covered.has(operation as OperationObject)) throw new Error(`no route access found for ${method} ${path}`);
    }
  }
}

function addSharedProblems(path: string, method: string, operation: OperationObject, rateLimited: boolean): void {
  const responses = operation.responses;
  const takesBody = BODY_METHODS.has(method);
  const hasQuery = operation.parameters?.some((parameter) => 'in' in parameter && parameter.in === 'query');
  if (takesBody || hasQuery) {
    const types: [string, ...string[]] = takesBody ? ['validation', 'malformed-body'] : ['validation'];
    responses['400'] ??= problemResponse(400, 'The request failed validation; `errors` names each field', types);
  }
  if (takesBody) {
    responses['413'] ??= problemResponse(413, 'The body is larger than this route accepts', ['payload-too-large']);
    responses['415'] ??= problemResponse(415, 'Bodies must be application/json', ['unsupported-media-type']);
  }
  if (path.includes('{')) {
    // `uuidParam`: a malformed path id names nothing, so every route with one can answer 404.
    responses['404'] ??= problemResponse(404, 'No such resource (a malformed id is an unknown id)', ['not-found']);
  }
  if (rateLimited) {
    responses['429'] ??= problemResponse(429, 'Too many requests from this client; retry later', ['rate-limited']);
  }
  responses['503'] ??= problemResponse(503, 'The database is unreachable or the instance is shutting down', [
    'dependency-unavailable',
    'draining',
  ]);
}
