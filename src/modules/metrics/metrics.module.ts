import { Global, Module } from '@nestjs/common';
import { makeHistogramProvider, PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import { HTTP_DURATION_METRIC } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';

/** Default process metrics belong to the process, not to one app instance (tests boot several). */
function collectProcessMetricsOnce(): void {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
}
collectProcessMetricsOnce();

const httpDuration = makeHistogramProvider({
  name: HTTP_DURATION_METRIC,
  help: 'HTTP request duration by method, route template and status class',
  labelNames: ['method', 'route', 'status_class'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: false },
      global: true,
    }),
  ],
  providers: [httpDuration],
  exports: [httpDuration],
})
export class MetricsModule {}
