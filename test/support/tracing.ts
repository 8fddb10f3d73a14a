import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { createTracerProvider } from '../../src/infrastructure/tracing/tracer-provider';
import { Tracing } from '../../src/infrastructure/tracing/tracing';

/** A `Tracing` that is on, sampling everything, its spans in `exporter` as each one ends. */
export function inMemoryTracing(): { tracing: Tracing; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const settings = new AppConfig(validateEnvironment({ OTEL_TRACES_EXPORTER: 'otlp' })).tracing;
  return { tracing: new Tracing(createTracerProvider(settings, exporter)), exporter };
}

/** Every name, attribute key and value of the spans, in one string to search for what must not be there. */
export function everythingIn(spans: ReadableSpan[]): string {
  return JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events })));
}

/** The spans whose parent is `parent`. */
export function childrenOf(spans: ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
}
