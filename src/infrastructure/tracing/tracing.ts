import { Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  context,
  type Context,
  INVALID_SPAN_CONTEXT,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { APP_VERSION } from '../../common/app-version.js';

/** The last export waits this long at most: the process must still stop within SHUTDOWN_GRACE_MS. */
const SHUTDOWN_FLUSH_MS = 2_000;

/** What work gets when tracing is off: one shared span that drops whatever it is told. */
const NOT_RECORDING: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * The app's tracer, or none when tracing is off (docs/tracing.md). Instrumentation asks this class
 * instead of OpenTelemetry's global API, so several apps in one process (the tests) keep their own
 * exporters, and with tracing off no span object is ever created.
 */
export class Tracing implements OnApplicationShutdown {
  static readonly off = new Tracing();
  private readonly tracer?: Tracer;

  constructor(private readonly provider?: TracerProvider) {
    this.tracer = provider?.getTracer('compliance-kit', APP_VERSION);
  }

  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /**
   * A span the caller ends, or undefined when tracing is off or, with `requireParent`, when
   * `parent` holds no span: statements and commands outside any request, job or round are not traced.
   */
  startSpan(name: string, options: SpanOptions, parent: Context = context.active(), requireParent = false) {
    if (!this.tracer || (requireParent && !trace.getSpan(parent))) return undefined;
    return this.tracer.startSpan(name, options, parent);
  }

  /** Runs `work` with span `name` active, ending it when `work` settles; with tracing off, just runs `work`. */
  run<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
    if (!this.tracer) return work(NOT_RECORDING);
    const span = this.tracer.startSpan(name, options);
    return context.with(trace.setSpan(context.active(), span), async () => {
      try {
        return await work(span);
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** Exports what is still buffered, for SHUTDOWN_FLUSH_MS at most; spans ended after this are dropped. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.provider) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${SHUTDOWN_FLUSH_MS} ms`), SHUTDOWN_FLUSH_MS);
    });
    const exported = this.provider.shutdown().then(
      () => undefined,
      (error: Error) => error.message,
    );
    const failure = await Promise.race([exported, timeout]);
    clearTimeout(timer);
    if (failure) new Logger('Tracing').warn(`spans not exported at shutdown: ${failure}`);
  }
}

/** Error status with the error's class as `error.type`, never its message: messages can carry values. */
export function markFailed(span: Span, error: unknown, type?: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute(ATTR_ERROR_TYPE, type ?? (error instanceof Error ? error.constructor.name : 'Error'));
}
