import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './api';

export type ComplianceKitClient = Client<paths>;

/**
 * The typed client a REST caller would generate from openapi.json. `middleware` sees every
 * request and response (the Prism test uses it to collect violations).
 */
export function complianceKitClient(
  baseUrl: string,
  options: { token?: string; middleware?: Middleware[] } = {},
): ComplianceKitClient {
  const client = createClient<paths>({
    baseUrl,
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
  });
  for (const middleware of options.middleware ?? []) client.use(middleware);
  return client;
}

/** Starts the booted test app on a free loopback port, for callers that speak real HTTP. */
export async function listenOnLoopback(app: NestFastifyApplication): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.getUrl();
}
