import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { SecurityEventSink } from '../../common/security-events.js';
import { AuditSecurityEventSink } from '../audit/audit-security-event.sink.js';
import {
  SECURITY_DETECTORS,
  type SecurityDetector,
  type SecurityObservation,
  type SecuritySignal,
  signalAction,
} from './security-signal.js';
import { SIGNALS_METRIC } from './signal-metrics.js';

/**
 * Hands each observation to every detector and records what they raise as a security event
 * `security.signal.<detector>`. Signals go straight to the audit sink, not through the observed
 * `SECURITY_EVENTS`, so a signal is never observed again. A failing detector (Redis, Postgres)
 * is logged and skipped: observing never fails the request it came from.
 */
@Injectable()
export class SecuritySignals {
  private readonly logger = new Logger('SecuritySignals');
  /** Every authenticated request is observed; the detectors of other kinds are not even awaited. */
  private readonly detectorsOf = new Map<SecurityObservation['kind'], SecurityDetector[]>();

  constructor(
    @Inject(SECURITY_DETECTORS) detectors: SecurityDetector[],
    @Inject(AuditSecurityEventSink) private readonly trail: SecurityEventSink,
    @InjectMetric(SIGNALS_METRIC) private readonly raised: Counter<'detector' | 'severity'>,
  ) {
    for (const detector of detectors) {
      for (const kind of detector.observes)
        this.detectorsOf.set(kind, [...(this.detectorsOf.get(kind) ?? []), detector]);
    }
  }

  async observe(observation: SecurityObservation): Promise<void> {
    for (const detector of this.detectorsOf.get(observation.kind) ?? []) {
      try {
        for (const signal of await detector.observe(observation)) await this.raise(signal);
      } catch (error) {
        this.logger.error(`detector ${detector.name} failed: ${(error as Error).message}`);
      }
    }
  }

  private async raise(signal: SecuritySignal): Promise<void> {
    this.raised.inc({ detector: signal.detector, severity: signal.severity });
    await this.trail.record({
      action: signalAction(signal.detector),
      severity: signal.severity,
      outcome: 'failure',
      actorId: signal.actorId,
      resourceType: signal.resourceType,
      resourceId: signal.resourceId,
      details: signal.details,
    });
  }
}
