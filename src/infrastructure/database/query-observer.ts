import { Injectable } from '@nestjs/common';
import { type Span, SpanKind } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import { markFailed, Tracing } from '../tracing/tracing.js';
import { currentQueryOwner } from './query-owner.js';
import { classifyStatement, sanitizeStatement, type StatementKind } from './sql-statement.js';

export const QUERY_DURATION_METRIC = 'db_query_duration_seconds';
export type QueryLabels = 'repository' | 'operation';

/** The repository class a statement's span names (our own attribute: no convention has one). */
export const ATTR_REPOSITORY = 'compliance_kit.repository';

/** Where the statement went, as a pg client knows it. */
export interface StatementTarget {
  host?: string;
  port?: number;
  database?: string;
}

interface Known extends StatementKind {
  sanitized: string;
}

/**
 * Statement texts are few (the code's own SQL): they are classified once. The caps bound texts
 * built with varying placeholder counts, and keep multi-row INSERTs (long, each unique) out.
 */
const KNOWN_MAX = 2_000;
const KNOWN_TEXT_MAX = 4_096;

/**
 * Times every statement the pool's clients send: db_query_duration_seconds{repository,operation}
 * always, and a CLIENT span when tracing is on and a trace is active. Neither carries a parameter
 * value: the histogram's labels are a class name and one of six operations, the span's text is
 * the statement with literals replaced by `?`, and a failure records its SQLSTATE, not its message.
 */
@Injectable()
export class QueryObserver {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly tracing: Tracing,
    @InjectMetric(QUERY_DURATION_METRIC) private readonly duration: Histogram<QueryLabels>,
  ) {}

  /** Starts one statement; call the result when it settled. */
  start(text: string, target: StatementTarget): (error?: unknown) => void {
    const started = performance.now();
    const repository = currentQueryOwner();
    const statement = this.kindOf(text);
    const span = this.tracing.enabled ? this.spanFor(statement, repository, target) : undefined;
    return (error?: unknown) => {
      this.duration.observe({ repository, operation: statement.operation }, (performance.now() - started) / 1000);
      if (!span) return;
      if (error) {
        const code = (error as { code?: unknown }).code;
        const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
        if (sqlState) span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, sqlState);
        markFailed(span, error, sqlState);
      }
      span.end();
    };
  }

  private spanFor(statement: Known, repository: string, target: StatementTarget): Span | undefined {
    return this.tracing.startSpan(
      statement.keyword,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
          [ATTR_DB_OPERATION_NAME]: statement.keyword,
          [ATTR_DB_QUERY_TEXT]: statement.sanitized,
          [ATTR_REPOSITORY]: repository,
          ...(target.database && { [ATTR_DB_NAMESPACE]: target.database }),
          ...(target.host && { [ATTR_SERVER_ADDRESS]: target.host }),
          ...(target.port && { [ATTR_SERVER_PORT]: target.port }),
        },
      },
      undefined,
      true,
    );
  }

  private kindOf(text: string): Known {
    const cached = this.known.get(text);
    if (cached) return cached;
    const sanitized = sanitizeStatement(text);
    const known = { ...classifyStatement(sanitized), sanitized };
    if (text.length > KNOWN_TEXT_MAX) return known;
    if (this.known.size >= KNOWN_MAX) this.known.clear();
    this.known.set(text, known);
    return known;
  }
}
