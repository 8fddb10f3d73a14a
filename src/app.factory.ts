import { ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { getToken } from '@willsoto/nestjs-prometheus';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { Histogram } from 'prom-client';
import { AppModule } from './app.module.js';
import { problemFrameworkErrors } from './common/framework-errors.js';
import { useCsvBodyParser } from './common/csv-body.js';
import { problemClientErrorHandler, removeNonJsonParsers, useGuardedJsonParser } from './common/json-body.js';
import { buildApiDocument } from './common/openapi/api-document.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { REQUEST_ID_HEADER, requestIdOf } from './common/request-id.js';
import { logRequests } from './common/request-logging.js';
import { applyRouteBodyLimits } from './common/route-body-limits.js';
import { applyRoutePipeline } from './common/route-pipeline.js';
import { streamBodiesOf } from './common/streamed-body.js';
import { createValidationPipe } from './common/validation.js';
import { validateEnvironment } from './config/environment.js';
import { ReadYourWritesInterceptor } from './infrastructure/database/read-your-writes.js';
import { TransactionInterceptor } from './infrastructure/database/transaction.interceptor.js';
import { traceHttpRequests } from './infrastructure/tracing/http-server-spans.js';
import { Tracing } from './infrastructure/tracing/tracing.js';
import { auditApiKeyReads } from './modules/audit/api-key-reads.js';
import { AuditInterceptor } from './modules/audit/audit.interceptor.js';
import { AuditService } from './modules/audit/audit.service.js';
import { DrainSignal } from './modules/health/drain-signal.js';
import { refuseRequestsWhileClosing } from './modules/health/draining-requests.js';
import { BULK_RECORDS_ROUTE } from './modules/compliance/records/compliance-records.routes.js';
import {
  CATALOG_IMPORT_BODY_LIMIT_BYTES,
  CATALOG_IMPORT_ROUTE,
  CATALOG_MAPPINGS_IMPORT_BODY_LIMIT_BYTES,
  CATALOG_MAPPINGS_IMPORT_ROUTE,
} from './modules/catalogs/catalogs.routes.js';
import { HTTP_DURATION_METRIC, HttpLabels, recordHttpMetrics } from './modules/metrics/http-metrics.js';
import { RouteThrottlerGuard } from './modules/sessions/route-throttler.guard.js';
import { SessionGuard } from './modules/sessions/session.guard.js';
import { rateLimitsOf } from './modules/sessions/throttling.js';

export interface CreateAppOptions {
  /** Variables to use instead of process.env. */
  environment?: Record<string, unknown>;
  /** Extra modules, for tests that need a fixture route. */
  imports?: ModuleMetadata['imports'];
  /** Where spans go instead of OTLP when tracing is on, for tests that read them. */
  spanExporter?: SpanExporter;
}

/** Builds the fully configured application (without listening); main.ts and the tests share it. */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const environment = validateEnvironment(options.environment ?? process.env);
  const adapter = new FastifyAdapter({
    bodyLimit: environment.HTTP_BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    requestIdHeader: false,
    return503OnClosing: false,
    clientErrorHandler: problemClientErrorHandler,
    frameworkErrors: problemFrameworkErrors,
    // No Nest middleware (request lines come from a hook below), so no middie on every request.
    skipMiddie: true,
  });
  const root = AppModule.forRoot(options.environment, options.spanExporter);
  root.imports = [...(root.imports ?? []), ...(options.imports ?? [])];
  // No Nest body parsers (its form parser would take `email=…&password=…`): JSON is registered below.
  // A failed boot rejects here instead of Nest printing the stack and exiting: main.ts reports it
  // (a ConfigurationError in its one line); the boot log stays buffered until the app's logger takes it.
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    bufferLogs: true,
    autoFlushLogs: false,
    abortOnError: false,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());
  // What global guards and interceptors would be, on only the routes where each has work.
  applyRoutePipeline(app, {
    guards: [RouteThrottlerGuard, SessionGuard],
    interceptors: [ReadYourWritesInterceptor, TransactionInterceptor, AuditInterceptor],
  });
  useGuardedJsonParser(app, environment.HTTP_BODY_LIMIT_BYTES);
  removeNonJsonParsers(app);
  useCsvBodyParser(app, [CATALOG_MAPPINGS_IMPORT_ROUTE]);

  const fastify = app.getHttpAdapter().getInstance();
  logRequests(fastify, PinoLogger.root);
  traceHttpRequests(fastify, app.get(Tracing));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  refuseRequestsWhileClosing(fastify, app.get(DrainSignal));
  streamBodiesOf(fastify, [CATALOG_IMPORT_ROUTE]);
  applyRouteBodyLimits(fastify, {
    [BULK_RECORDS_ROUTE]: environment.COMPLIANCE_BULK_BODY_LIMIT_BYTES,
    [CATALOG_IMPORT_ROUTE]: CATALOG_IMPORT_BODY_LIMIT_BYTES,
    [CATALOG_MAPPINGS_IMPORT_ROUTE]: CATALOG_MAPPINGS_IMPORT_BODY_LIMIT_BYTES,
  });
  auditApiKeyReads(fastify, app.get(AuditService));
  recordHttpMetrics(fastify, app.get<Histogram<HttpLabels>>(getToken(HTTP_DURATION_METRIC)));

  const document = buildApiDocument(app, rateLimitsOf);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
