import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { lineFields, requestLogSerializers } from './request-logging.js';

const LOG_BATCH_BYTES = 4_096;
const LOG_FLUSH_MS = 10;

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
          // Asynchronous and batched: lines go out together once 4 KB have gathered or every
          // 10 ms, instead of one write (and thread-pool round trip) per request line, which cost
          // the session route ~10% of its CPU; pino flushes what is left synchronously at exit.
          destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS }),
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
