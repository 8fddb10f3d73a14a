import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { lineFields, requestLogSerializers } from './request-logging.js';

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

/**
 * JSON logs with the request on every line written while it is handled (its id, method, path
 * without the query string, which may carry search terms or emails, and agent), and with tracing
 * on the active trace's `trace_id`/`span_id`. nestjs-pino is the app's logger only: request lines
 * come from Fastify hooks (`logRequests`), so it mounts no middleware.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        forRoutes: [],
        pinoHttp: [
          {
            level: config.logLevel,
            mixin: lineFields(config.tracing.enabled),
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            wrapSerializers: false,
            serializers: requestLogSerializers,
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
