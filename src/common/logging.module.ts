import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { requestIdOf } from './request-id.js';
import { traceFields } from './trace-context.js';

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
];

const isProbe = (url = '') => url === '/health/live' || url === '/health/ready';

/**
 * JSON logs with the request id on every line, and with tracing on the active trace's
 * `trace_id`/`span_id`. Request serialisation keeps the path without its query string (queries
 * may carry search terms or emails) and no headers but the agent.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // nestjs-pino's default route pattern matches nothing on the Fastify adapter; this one matches all.
        forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
        pinoHttp: [
          {
            level: config.logLevel,
            ...(config.tracing.enabled && { mixin: traceFields }),
            genReqId: (request: IncomingMessage) => requestIdOf(request),
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
              error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
            // Probes arrive every few seconds from every kubelet; their lines would drown the rest.
            // Middleware sees a prefix-stripped `url`; `originalUrl` is the full path.
            autoLogging: {
              ignore: (request: IncomingMessage & { originalUrl?: string }) =>
                isProbe(request.originalUrl ?? request.url),
            },
            serializers: {
              req: (request: { id: string; method: string; url: string; headers: Record<string, string> }) => ({
                id: request.id,
                method: request.method,
                path: request.url.split('?')[0],
                userAgent: request.headers['user-agent'],
              }),
              res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
            },
          },
          // Asynchronous: lines written while a write is in flight go out together in one syscall
          // instead of one each; pino flushes what is left synchronously when the process exits.
          destination({ dest: 1, sync: false }),
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
