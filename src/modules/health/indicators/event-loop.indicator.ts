import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** A loop stalled this long cannot answer requests; restarting the process is the right call. */
const STALLED_MS = 2_000;
const WINDOW_MS = 5_000;

/**
 * Liveness looks only at this process: event-loop delay (p99 of the last completed 5 s window) and
 * uptime. The percentile is computed once per window, not per probe.
 */
@Injectable()
export class EventLoopHealthIndicator implements OnModuleDestroy {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private readonly window: NodeJS.Timeout;
  private lastP99Ms = 0;

  constructor(private readonly indicators: HealthIndicatorService) {
    this.delay.enable();
    this.window = setInterval(() => this.roll(), WINDOW_MS);
    this.window.unref();
  }

  check(key = 'eventLoop') {
    const p99Ms = this.lastP99Ms;
    const session = this.indicators.check(key);
    const data = { delayP99Ms: p99Ms, uptimeSeconds: Math.round(process.uptime()) };
    return p99Ms > STALLED_MS ? session.down(data) : session.up(data);
  }

  onModuleDestroy(): void {
    clearInterval(this.window);
    this.delay.disable();
  }

  private roll(): void {
    this.lastP99Ms = this.delay.count ? Math.round(this.delay.percentile(99) / 1e5) / 10 : 0;
    this.delay.reset();
  }
}
