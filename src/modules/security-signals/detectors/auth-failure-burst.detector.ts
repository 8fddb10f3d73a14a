import type { SecurityEvent } from '../../../common/security-events.js';
import type { WindowCounter } from '../counters/window-counter.js';
import type { SecurityDetector, SecurityObservation, SecuritySignal } from '../security-signal.js';
import type { SignalSubjects } from '../signal-subjects.js';

/** Events that answered 401 or 403. */
const REFUSALS = new Set([
  'auth.unauthenticated',
  'auth.forbidden',
  'auth.login.failed',
  'auth.reauthentication.failed',
]);

interface Subject {
  kind: 'ip' | 'api-key';
  id: string;
}

/** The API key a refusal names: its id when known (401 for a known key, 403), else the lookup id presented. */
function keyOf(event: SecurityEvent): string | undefined {
  if (event.resourceType === 'api-key' && event.resourceId) return event.resourceId;
  if (event.details?.credential !== 'api-key') return undefined;
  if (event.action === 'auth.forbidden' && event.actorId) return event.actorId;
  const lookupId = event.details.lookupId;
  return typeof lookupId === 'string' ? `lookup-${lookupId}` : undefined;
}

/**
 * SIGNAL_AUTH_FAILURE_BURST refusals (401/403, failed passwords included) from one client IP, or
 * for one API key, within SIGNAL_AUTH_FAILURE_WINDOW_SECONDS: credential stuffing, key guessing,
 * a scraper probing routes it may not call.
 */
export class AuthFailureBurstDetector implements SecurityDetector {
  readonly name = 'auth-failure-burst';
  readonly observes = ['security-event'] as const;

  constructor(
    private readonly counter: WindowCounter,
    private readonly subjects: SignalSubjects,
    private readonly settings: { burst: number; windowSeconds: number },
  ) {}

  async observe(observation: SecurityObservation): Promise<SecuritySignal[]> {
    if (observation.kind !== 'security-event' || !REFUSALS.has(observation.event.action)) return [];
    const { event } = observation;
    const subjects: Subject[] = [];
    if (event.request?.ip) subjects.push({ kind: 'ip', id: this.subjects.hash('ip', event.request.ip) });
    const key = keyOf(event);
    if (key) subjects.push({ kind: 'api-key', id: key });
    const signals: SecuritySignal[] = [];
    for (const subject of subjects) {
      const signal = await this.count(subject);
      if (signal) signals.push(signal);
    }
    return signals;
  }

  private async count(subject: Subject): Promise<SecuritySignal | undefined> {
    const { burst, windowSeconds } = this.settings;
    const windowMs = windowSeconds * 1000;
    const refusals = await this.counter.add(this.subjects.key(this.name, subject.kind, subject.id), 1, windowMs);
    if (refusals < burst) return undefined;
    if (!(await this.counter.claim(this.subjects.key(this.name, 'fired', subject.kind, subject.id), windowMs))) {
      return undefined;
    }
    return {
      detector: this.name,
      severity: 'warning',
      ...(subject.kind === 'api-key' && !subject.id.startsWith('lookup-')
        ? { resourceType: 'api-key', resourceId: subject.id }
        : {}),
      details: { subject: subject.kind, subjectId: subject.id, refusals, threshold: burst, windowSeconds },
    };
  }
}
