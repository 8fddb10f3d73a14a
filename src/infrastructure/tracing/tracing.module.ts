import { DynamicModule, Global, Module } from '@nestjs/common';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { AppConfig } from '../../config/app-config.js';
import { createTracerProvider } from './tracer-provider.js';
import { Tracing } from './tracing.js';

/** Provides `Tracing`, chosen at boot from the OTEL_* variables; `exporter` is for tests. */
@Global()
@Module({})
export class TracingModule {
  static forRoot(exporter?: SpanExporter): DynamicModule {
    return {
      module: TracingModule,
      providers: [
        {
          provide: Tracing,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => new Tracing(createTracerProvider(config.tracing, exporter)),
        },
      ],
      exports: [Tracing],
    };
  }
}
