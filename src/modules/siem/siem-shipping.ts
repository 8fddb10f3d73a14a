import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { AppConfig } from '../../config/app-config.js';
import { OutboxConsumerRegistry } from '../../infrastructure/outbox/outbox-consumer.js';
import { SiemConsumer } from './siem-consumer.js';
import { SIEM_FAILURES_METRIC, SIEM_SHIPPED_METRIC } from './siem-metrics.js';
import { SIEM_SINKS, type SiemSink } from './siem-sink.js';

/**
 * Registers one ordered outbox consumer per configured sink (`siem-syslog`, `siem-http`), and
 * closes the sinks once the relay has stopped (it stops before application shutdown).
 */
@Injectable()
export class SiemShipping implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(SIEM_SINKS) private readonly sinks: SiemSink[],
    private readonly registry: OutboxConsumerRegistry,
    private readonly config: AppConfig,
    @InjectMetric(SIEM_SHIPPED_METRIC) private readonly shipped: Counter<'sink'>,
    @InjectMetric(SIEM_FAILURES_METRIC) private readonly failures: Counter<'sink' | 'kind'>,
  ) {}

  onModuleInit(): void {
    for (const sink of this.sinks) {
      this.registry.register(new SiemConsumer(sink, this.config.siem.minSeverity, this.shipped, this.failures));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.close()));
  }
}
