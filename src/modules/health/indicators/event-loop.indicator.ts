import { monitorEventLoopDelay, IntervalHistogram } from 'node:perf_hooks';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** A loop stalled this long cannot answer requests; restarting the process is the right call. */
const STALLED_MS = 2_000;

/** Liveness looks only at this process: event-loop delay over the last window and uptime. */
@Injectable()
export class EventLoopHealthIndicator implements OnModuleDestroy {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly indicators: HealthIndicatorService) {
    this.delay.enable();
  }

  check(key = 'eventLoop') {
    const p99Ms = Math.round(this.delay.percentile(99) / 1e5) / 10;
    this.delay.reset();
    const session = this.indicators.check(key);
    const data = { delayP99Ms: p99Ms, uptimeSeconds: Math.round(process.uptime()) };
    return p99Ms > STALLED_MS ? session.down(data) : session.up(data);
  }

  onModuleDestroy(): void {
    this.delay.disable();
  }
}
