import type { WindowCounter } from '../counters/window-counter.js';
import type { SecurityDetector, SecurityObservation, SecuritySignal } from '../security-signal.js';
import type { SignalSubjects } from '../signal-subjects.js';

/**
 * A correct API key presented from outside its allowed CIDRs: the secret is known somewhere it
 * should not be. The refusal is already a critical security event; the signal says "act on this
 * key", once per key per SIGNAL_KEY_CIDR_WINDOW_SECONDS however often it is retried.
 */
export class KeyOutsideCidrsDetector implements SecurityDetector {
  readonly name = 'key-outside-cidrs';
  readonly observes = ['security-event'] as const;

  constructor(
    private readonly counter: WindowCounter,
    private readonly subjects: SignalSubjects,
    private readonly settings: { windowSeconds: number },
  ) {}

  async observe(observation: SecurityObservation): Promise<SecuritySignal[]> {
    if (observation.kind !== 'security-event') return [];
    const { event } = observation;
    if (event.action !== 'auth.unauthenticated' || event.details?.reason !== 'outside-allowed-cidrs') return [];
    if (event.resourceType !== 'api-key' || !event.resourceId) return [];
    const { windowSeconds } = this.settings;
    const first = await this.counter.claim(this.subjects.key(this.name, event.resourceId), windowSeconds * 1000);
    if (!first) return [];
    return [
      {
        detector: this.name,
        severity: 'critical',
        resourceType: 'api-key',
        resourceId: event.resourceId,
        details: {
          lookupId: event.details.lookupId,
          ...(event.request?.ip ? { client: this.subjects.hash('ip', event.request.ip) } : {}),
          windowSeconds,
        },
      },
    ];
  }
}
