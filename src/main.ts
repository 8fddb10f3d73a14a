import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import { AppConfig } from './config/app-config.js';
import { ConfigurationError } from './config/environment.js';
import { DrainSignal } from './modules/health/drain-signal.js';

async function bootstrap(): Promise<void> {
  const started = performance.now();
  const app = await createApp();
  const { host, port } = app.get(AppConfig).http;
  await app.listen({ host, port });
  const logger = new Logger('Bootstrap');
  logger.log(`listening on ${await app.getUrl()} (boot ${Math.round(performance.now() - started)} ms)`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(app, signal, logger));
  }
}

/**
 * Readiness turns 503 first, then (after the configured delay, long enough for the load balancer
 * to notice) Fastify stops accepting, in-flight requests finish and pools and Postgres close.
 */
async function shutdown(app: NestFastifyApplication, signal: string, logger: Logger): Promise<void> {
  const { shutdownGraceMs, shutdownReadinessDelayMs } = app.get(AppConfig).http;
  logger.log(`${signal} received: draining`);
  app.get(DrainSignal).begin();
  const deadline = setTimeout(() => {
    logger.error(`shutdown exceeded ${shutdownGraceMs} ms; exiting`);
    process.exit(1);
  }, shutdownReadinessDelayMs + shutdownGraceMs);
  deadline.unref();
  await new Promise((resolve) => setTimeout(resolve, shutdownReadinessDelayMs));
  app.get(DrainSignal).stopAccepting();
  await app.close();
  logger.log('stopped');
  process.exit(0);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
