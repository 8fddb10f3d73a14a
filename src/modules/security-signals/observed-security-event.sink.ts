import type { SecurityEvent, SecurityEventSink } from '../../common/security-events.js';
import { SIGNAL_ACTION_PREFIX } from './security-signal.js';
import type { SecuritySignals } from './security-signals.service.js';

/**
 * `SECURITY_EVENTS` as every feature sees it: the audit sink, then the detectors. The event is
 * recorded first, so a detector's trouble can never cost the trail an event.
 */
export class ObservedSecurityEventSink implements SecurityEventSink {
  constructor(
    private readonly trail: SecurityEventSink,
    private readonly signals: SecuritySignals,
  ) {}

  async record(event: SecurityEvent): Promise<void> {
    await this.trail.record(event);
    if (!event.action.startsWith(SIGNAL_ACTION_PREFIX)) await this.signals.observe({ kind: 'security-event', event });
  }
}
