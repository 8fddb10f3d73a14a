import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { Role } from '../../src/common/auth/roles';
import { createApp } from '../../src/app.factory.js';
import { createTestDatabase, TestDatabase, TEST_REDIS_URL } from './database.js';

type Agent = ReturnType<typeof request>;

export interface TestApp {
  app: NestFastifyApplication;
  db: TestDatabase;
  /** Anonymous requests. */
  http: () => Agent;
  /** Requests authenticated as a user with this role. */
  as(role: Role): Promise<Pick<Agent, 'get' | 'post' | 'put' | 'patch' | 'delete'>>;
  close(): Promise<void>;
}

/**
 * Boots the real application against its own fresh database and the machine's Redis.
 * `environment` overrides individual variables (set one to undefined to unset it).
 */
export async function startTestApp(
  environment: Record<string, string | undefined> = {},
  imports: ModuleMetadata['imports'] = [],
): Promise<TestApp> {
  const db = await createTestDatabase();
  const app = await createApp({
    environment: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      DATA_DIR: '/tmp/compliance-kit-test',
      ...environment,
    },
    imports,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    db,
    http: () => request(app.getHttpServer()),
    as: async () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
