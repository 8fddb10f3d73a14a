import { Global, Module } from '@nestjs/common';
import { makeHistogramProvider, PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, register } from 'prom-client';
import { HTTP_DURATION_METRIC } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';

/**
 * prom-client 15 names three gauges `nodejs_active_{handles,requests,resources}_total`, which
 * `promtool check metrics` rejects (`_total` is for counters) and has no option to rename. Each is the
 * sum of its per-type gauge (`nodejs_active_handles{type}` etc.), so they are dropped, not renamed.
 */
const SUFFIXED_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Default process metrics belong to the process, not to one app instance (tests boot several). */
function collectProcessMetricsOnce(): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics();
  for (const name of SUFFIXED_GAUGES) register.removeSingleMetric(name);
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
