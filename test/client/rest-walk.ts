import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Middleware } from 'openapi-fetch';
import type { Role } from '../../src/common/auth/roles';
import { UsersService } from '../../src/modules/users/users.service';
import { aUser } from '../support/builders/user.builder';
import { waitFor } from '../support/wait-for';
import type { components } from './api';
import { complianceKitClient, type ComplianceKitClient } from './compliance-kit-client';

type CreateRecord = components['schemas']['CreateRecordDto'];

export interface Credentials {
  email: string;
  password: string;
}

/** A new user with `role`, created through the users service (there is no sign-up route), and how to log in as it. */
export async function createCaller(app: NestFastifyApplication, role: Role): Promise<Credentials> {
  const user = aUser({ role });
  await app.get(UsersService).create(user);
  return { email: user.email, password: user.password };
}

/** What a typed call answers; `expectStatus` checks it and hands back the body. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The status and no error body, then the data as the document types it. */
export function expectStatus<T>(answer: Answer<T>, status: number): NonNullable<T> {
  expect({ status: answer.response.status, error: answer.error }).toEqual({ status, error: undefined });
  return answer.data as NonNullable<T>;
}

/** A valid create-record body for `entityId`, typed by the document so a contract change breaks it at compile time. */
export function aRecordBody(entityId: string, overrides: Partial<CreateRecord> = {}): CreateRecord {
  return {
    entityId,
    framework: 'SOC2',
    controlId: 'CC6.1',
    status: 'passed',
    score: 91.5,
    details: { reviewer: 'team-a' },
    assessedAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

/** POST /auth/login, then a client that sends the session token. */
export async function logIn(
  baseUrl: string,
  credentials: Credentials,
  middleware: Middleware[] = [],
): Promise<ComplianceKitClient> {
  const { email, password } = credentials;
  const anonymous = complianceKitClient(baseUrl, { middleware });
  const { token } = expectStatus(await anonymous.POST('/auth/login', { body: { email, password } }), 200);
  return complianceKitClient(baseUrl, { token, middleware });
}

/**
 * A REST caller's whole path, through the client generated from openapi.json and nothing else:
 * log in, create, read, update with If-Match, list with a filter, bulk-create, search, analytics,
 * verify the audit chain, log out. `middleware` watches every exchange (the Prism test's
 * violation check); the app must already know the user behind `credentials`.
 */
export async function walkRestPath(
  baseUrl: string,
  credentials: Credentials,
  middleware: Middleware[] = [],
): Promise<void> {
  const api = await logIn(baseUrl, credentials, middleware);
  // One entity per walk keeps the list, search and analytics checks to this walk's own records.
  const entityId = `walk-${randomUUID()}`;

  const created = await api.POST('/compliance/records', { body: aRecordBody(entityId) });
  const record = expectStatus(created, 201);
  expect(record).toMatchObject({ entityId, status: 'passed', score: 91.5, version: 1 });
  expect(created.response.headers.get('etag')).toBe('"1"');

  const path = { id: record.id };
  expect(expectStatus(await api.GET('/compliance/records/{id}', { params: { path } }), 200)).toEqual(record);

  const updated = expectStatus(
    await api.PATCH('/compliance/records/{id}', {
      params: { path, header: { 'If-Match': '"1"' } },
      body: { status: 'failed', score: 40 },
    }),
    200,
  );
  expect(updated).toMatchObject({ id: record.id, status: 'failed', score: 40, version: 2 });

  const listed = expectStatus(
    await api.GET('/compliance/records', { params: { query: { entityId, status: 'failed' } } }),
    200,
  );
  expect(listed.items.map((item) => item.id)).toEqual([record.id]);

  const bulk = expectStatus(
    await api.POST('/compliance/records/bulk', {
      body: { records: [aRecordBody(entityId, { controlId: 'CC6.2' }), aRecordBody(entityId, { controlId: 'CC6.3' })] },
    }),
    201,
  );
  expect(bulk.created).toBe(2);
  expect(bulk.ids).toHaveLength(2);

  // The search index follows the records through the outbox, so the hit appears shortly after.
  await waitFor(async () => {
    const found = expectStatus(await api.GET('/search', { params: { query: { q: 'assessed', entityId } } }), 200);
    return found.hits.some((hit) => hit.id === record.id);
  });

  const analytics = expectStatus(
    await api.GET('/compliance/analytics', {
      params: { query: { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', bucket: '1d', framework: 'SOC2' } },
    }),
    200,
  );
  expect(Array.isArray(analytics.buckets)).toBe(true);

  const verified = expectStatus(await api.GET('/audit/verify'), 200);
  expect(verified).toMatchObject({ ok: true });
  expect(verified.eventsChecked).toBeGreaterThan(0);

  expectStatus(await api.POST('/auth/logout'), 204);
  expect((await api.GET('/auth/session')).response.status).toBe(401);
}
