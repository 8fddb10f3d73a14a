import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { Role } from '../../src/common/auth/roles';
import { createApp } from '../../src/app.factory.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { aUser } from './builders/user.builder.js';
import { createTestDatabase, TestDatabase, TEST_REDIS_URL } from './database.js';
import { OpenApiConformance } from './openapi-conformance.js';
import { SparePgBouncer } from './pgbouncer.js';

type Agent = ReturnType<typeof request>;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type AuthenticatedAgent = Pick<Agent, Method> & { userId: string; token: string };

export interface TestApp {
  app: NestFastifyApplication;
  db: TestDatabase;
  /** Anonymous requests. */
  http: () => Agent;
  /**
   * Requests authenticated as a user with this role: the first call per role creates the user and
   * logs in through POST /auth/login; later calls reuse that session. Tests that end sessions
   * (logout, disable) should log in their own users instead.
   */
  as(role: Role): Promise<AuthenticatedAgent>;
  /** Every response that broke the app's OpenAPI document; `close()` fails the file on any left. */
  conformance: OpenApiConformance;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /**
   * Why this app's responses need not match the OpenAPI document (`close()` then ignores them).
   * Prefer documenting the status: an exemption hides drift in everything else the file calls.
   */
  openApiExemption?: string;
  /** Where the app's spans go when the environment turns tracing on (instead of OTLP). */
  spanExporter?: SpanExporter;
}

/**
 * Boots the real application against its own fresh database and the machine's Redis.
 * `environment` overrides individual variables (set one to undefined to unset it); the database
 * is created on `adminUrl`'s server (the machine's Postgres by default).
 */
export async function startTestApp(
  environment: Record<string, string | undefined> = {},
  imports: ModuleMetadata['imports'] = [],
  adminUrl?: string,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const db = await createTestDatabase(adminUrl);
  return boot(db, environment, imports, options, async () => {
    await db.drop();
    await dropQueueKeys(db.name);
  });
}

/** Bull keeps repeatable jobs and job ids in Redis after the app closes; they go with the database. */
export async function dropQueueKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * Another replica of `primary`: the same database, its own everything else (store, circuit,
 * timers). Close it before the primary, which drops the database.
 */
export function startTestReplica(
  primary: TestApp,
  environment: Record<string, string | undefined> = {},
): Promise<TestApp> {
  return startTestAppOn(primary.db, environment);
}

/** The application on a database the caller owns (to restart on the same data); closing leaves the database. */
export function startTestAppOn(
  db: TestDatabase,
  environment: Record<string, string | undefined> = {},
): Promise<TestApp> {
  return boot(db, environment, [], {}, async () => undefined);
}

/**
 * TEST_VIA_PGBOUNCER=1 runs every app whose test does not choose its own database server through
 * a PgBouncer of its own in transaction mode (`npm run test:pgbouncer`), with DATABASE_DIRECT_URL
 * for what needs a session.
 */
async function databaseEnvironment(db: TestDatabase, environment: Record<string, string | undefined>) {
  if (process.env.TEST_VIA_PGBOUNCER !== '1' || 'DATABASE_URL' in environment) {
    return { variables: { DATABASE_URL: db.url }, stop: async () => undefined };
  }
  const { hostname, port } = new URL(db.url);
  const bouncer = await SparePgBouncer.start({ host: hostname, port: Number(port || 5432) });
  return {
    variables: { DATABASE_URL: bouncer.through(db.url), DATABASE_DIRECT_URL: db.url },
    stop: () => bouncer.stop(),
  };
}

async function boot(
  db: TestDatabase,
  environment: Record<string, string | undefined>,
  imports: ModuleMetadata['imports'],
  options: TestAppOptions,
  release: () => Promise<void>,
): Promise<TestApp> {
  const database = await databaseEnvironment(db, environment);
  const { app, conformance } = await start(db, { ...database.variables, ...environment }, imports, options).catch(
    async (error: unknown) => {
      await database.stop();
      throw error;
    },
  );
  const agents = new Map<Role, Promise<AuthenticatedAgent>>();
  return {
    app,
    db,
    http: () => request(app.getHttpServer()),
    as: (role) => {
      if (!agents.has(role)) agents.set(role, logInAs(app, role));
      return agents.get(role) as Promise<AuthenticatedAgent>;
    },
    conformance,
    close: async () => {
      await app.close();
      await database.stop();
      await release();
      if (options.openApiExemption === undefined) conformance.settle();
    },
  };
}

async function start(
  db: TestDatabase,
  environment: Record<string, string | undefined>,
  imports: ModuleMetadata['imports'],
  options: TestAppOptions,
) {
  const app = await createApp({
    environment: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: TEST_REDIS_URL,
      // Test files share the machine's Redis: each database gets its own queues, or apps take each other's jobs.
      QUEUE_PREFIX: db.name,
      DATA_DIR: '/tmp/compliance-kit-test',
      // Rate-limit counters are per prefix, but a file logs in more often than the production limit allows.
      THROTTLE_API_LIMIT: '1000000',
      THROTTLE_LOGIN_LIMIT: '1000000',
      ...environment,
    },
    imports,
    spanExporter: options.spanExporter,
  });
  const conformance = OpenApiConformance.watch(app.getHttpAdapter().getInstance());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  await conformance.load();
  return { app, conformance };
}

/** Creates a user with `role` through the users service and logs in over HTTP. */
export async function logInAs(app: NestFastifyApplication, role: Role): Promise<AuthenticatedAgent> {
  const input = aUser({ role });
  const user = await app.get(UsersService).create(input);
  const res = await request(app.getHttpServer())
    .post('/auth/login')
    .send({ email: input.email, password: input.password });
  if (res.status !== 200) throw new Error(`login as ${role} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token: string = res.body.token;
  const server = app.getHttpServer();
  const withToken = (method: Method) => (url: string) =>
    request(server)[method](url).set('Authorization', `Bearer ${token}`);
  return {
    userId: user.id,
    token,
    get: withToken('get'),
    post: withToken('post'),
    put: withToken('put'),
    patch: withToken('patch'),
    delete: withToken('delete'),
  } as AuthenticatedAgent;
}
