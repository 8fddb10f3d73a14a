import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import { AppConfig } from './config/app-config.js';
import { ConfigurationError } from './config/environment.js';
import { DatabaseLocator } from './infrastructure/database/database-locator.js';
import { DrainSignal } from './modules/health/drain-signal.js';

async function bootstrap(): Promise<void> {
  const started = performance.now();
  const app = await createApp();
  const { host, port } = app.get(AppConfig).http;
  await app.listen({ host, port });
  const logger = new Logger('Bootstrap');
  logger.log(`listening on ${boundUrls(app)} (boot ${Math.round(performance.now() - started)} ms)`);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // Not `once`: Ctrl-C under `npm start` arrives twice (from the terminal and forwarded by npm),
    // and a second signal without a listener would kill the process in the middle of shutdown.
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      shutdown(app, signal, logger).catch((error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error)?.stack ?? String(error)}`);
        process.exit(1);
      });
    });
  }
}

/** Every address the server really bound (`0.0.0.0` means all IPv4 interfaces). */
function boundUrls(app: NestFastifyApplication): string {
  return app
    .getHttpAdapter()
    .getInstance()
    .addresses()
    .map((bound) =>
      typeof bound === 'string'
        ? bound
        : `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    )
    .join(' and ');
}

/**
 * Readiness turns 503 first, then (after the configured delay, long enough for the load balancer
 * to notice) Fastify stops accepting, in-flight requests finish and pools close; an embedded
 * PostgreSQL stops last, when nothing is connected to it any more.
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
  const database = app.get(DatabaseLocator);
  await app.close();
  await database.release();
  logger.log('stopped');
  process.exit(0);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    // What Nest logged before failing, kept in its buffer, says how far the boot got.
    Logger.flush();
    process.stderr.write(`Failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
