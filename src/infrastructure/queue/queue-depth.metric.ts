import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { JOB_QUEUE, type JobQueue } from './job-queue.js';

export const QUEUE_DEPTH_METRIC = 'job_queue_depth';
/** A scrape must not wait on an unreachable Redis. */
const SAMPLE_TIMEOUT_MS = 1_000;

export const queueDepthGauge = makeGaugeProvider({
  name: QUEUE_DEPTH_METRIC,
  help: 'Jobs waiting or delayed, per queue; absent while the queue cannot be read',
  labelNames: ['queue'],
});

/** Reads every queue's backlog when Prometheus scrapes, so the value is never older than the scrape. */
@Injectable()
export class QueueDepthMetric implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly collect = () => this.sample();

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @InjectMetric(QUEUE_DEPTH_METRIC) private readonly gauge: Gauge<'queue'>,
  ) {}

  onApplicationBootstrap(): void {
    // prom-client calls a metric's `collect` on every scrape; the gauge is process-wide, this app feeds it.
    Object.assign(this.gauge, { collect: this.collect });
  }

  onApplicationShutdown(): void {
    if ((this.gauge as { collect?: unknown }).collect === this.collect)
      Object.assign(this.gauge, { collect: undefined });
  }

  async sample(): Promise<void> {
    const depths = await Promise.all(this.queue.names.map(async (name) => [name, await this.depthOf(name)] as const));
    this.gauge.reset();
    for (const [queue, depth] of depths) if (depth !== undefined) this.gauge.set({ queue }, depth);
  }

  private async depthOf(name: string): Promise<number | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), SAMPLE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.queue.backlog(name).catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
