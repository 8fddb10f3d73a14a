import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C Trace Context in and out of the process. Everything here reads the active OpenTelemetry
 * context, which only ever holds a span while tracing is on (docs/tracing.md); with tracing off
 * each function finds nothing and does nothing.
 */
const propagator = new W3CTraceContextPropagator();

function activeSpanContext(): SpanContext | undefined {
  const span = trace.getSpanContext(context.active());
  return span && trace.isSpanContextValid(span) ? span : undefined;
}

/** `00-<trace id>-<span id>-<flags>`, the `traceparent` syntax. */
export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`;
}

/** Fields for a log line: the active trace and span, or none (a fresh object: pino merges into it). */
export function traceFields(): Record<string, string> {
  const span = activeSpanContext();
  if (!span) return {};
  return { trace_id: span.traceId, span_id: span.spanId, trace_flags: span.traceFlags.toString(16).padStart(2, '0') };
}

/** The active trace's id (32 hex digits), for audit events; null outside a trace. */
export function activeTraceId(): string | null {
  return activeSpanContext()?.traceId ?? null;
}

/** Adds the active context's `traceparent` (and `tracestate`) to outgoing request headers. */
export function withTraceContext(headers: Record<string, string>): Record<string, string> {
  propagator.inject(context.active(), headers, defaultTextMapSetter);
  return headers;
}

/** The remote parent named by a request's `traceparent`, or the root context when it names none validly. */
export function extractTraceContext(headers: IncomingHttpHeaders): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}
