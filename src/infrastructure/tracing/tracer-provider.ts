import { Logger } from '@nestjs/common';
import { context, diag, DiagLogLevel } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { APP_VERSION } from '../../common/app-version.js';
import type { TracingSettings } from '../../config/app-config.js';

/** A collector that is down fails every export: one line per this, not one per batch. */
const DIAG_LOG_EVERY_MS = 10_000;

/** Long enough for any statement the app sends (they use placeholders), short enough to bound a span. */
const ATTRIBUTE_VALUE_LENGTH_LIMIT = 4_096;

/**
 * The provider of one app, or none when tracing is off. `exporter` replaces the OTLP exporter
 * (tests pass an in-memory one, exported span by span). The context manager is process-wide by
 * nature (it follows async calls); it is registered once, by the first app that traces.
 */
export function createTracerProvider(settings: TracingSettings, exporter?: SpanExporter): TracerProvider | undefined {
  if (!settings.enabled) return undefined;
  registerProcessWide();
  return new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.serviceName,
      [ATTR_SERVICE_VERSION]: APP_VERSION,
    }),
    sampler: samplerOf(settings),
    spanLimits: { attributeValueLengthLimit: ATTRIBUTE_VALUE_LENGTH_LIMIT },
    spanProcessors: [
      exporter ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter: otlpExporter(settings) }),
    ],
  });
}

let registered = false;

/**
 * The context manager, and OpenTelemetry's own diagnostics (failed exports, mostly) as warnings
 * in the app's log, throttled. Both are process-wide in OpenTelemetry's API.
 */
function registerProcessWide(): void {
  if (registered) return;
  registered = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const logger = new Logger('OpenTelemetry');
  let lastAt = 0;
  const warn = (message: string) => {
    if (Date.now() - lastAt < DIAG_LOG_EVERY_MS) return;
    lastAt = Date.now();
    logger.warn(message.slice(0, 500));
  };
  const ignore = () => undefined;
  diag.setLogger({ error: warn, warn, info: ignore, debug: ignore, verbose: ignore }, DiagLogLevel.WARN);
}

function otlpExporter({ otlp }: TracingSettings): SpanExporter {
  const options = { url: otlp.url, headers: otlp.headers, timeoutMillis: otlp.timeoutMs };
  return otlp.protocol === 'http/json' ? new OtlpJsonExporter(options) : new OtlpProtobufExporter(options);
}

function samplerOf({ sampler, samplerRatio }: TracingSettings): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(samplerRatio);
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
