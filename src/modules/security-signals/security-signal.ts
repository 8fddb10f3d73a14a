import type { SecurityEvent, SecuritySeverity } from '../../common/security-events.js';

/** The detector names; each is also the last part of its signal's audit action. */
export const DETECTORS = [
  'auth-failure-burst',
  'new-device',
  'network-switch',
  'key-outside-cidrs',
  'mass-export',
] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** Audit action of a signal: `security.signal.<detector>`. */
export const SIGNAL_ACTION_PREFIX = 'security.signal.';
export const signalAction = (detector: DetectorName) => `${SIGNAL_ACTION_PREFIX}${detector}`;

/** A fact a detector may react to, reported by the code where the fact is known. */
export type SecurityObservation =
  | { kind: 'security-event'; event: SecurityEvent }
  | { kind: 'login'; userId: string; sessionId: string; ip: string; deviceFingerprint: string }
  | { kind: 'session-used'; sessionId: string; userId: string; ip: string }
  | { kind: 'rows-read'; actorId: string; source: 'audit-export' | 'compliance-records'; rows: number };

/** What a detector raises. `details` never holds an IP, an email or a secret: hashes, ids, counts. */
export interface SecuritySignal {
  detector: DetectorName;
  severity: SecuritySeverity;
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  details: Record<string, unknown>;
}

/**
 * One rule. `observe` sees every observation and ignores those it is not about; it returns a
 * signal at most once per window per subject, so an attack raises one signal, not thousands.
 */
export interface SecurityDetector {
  readonly name: DetectorName;
  /** The kinds of observation it reacts to: only these are handed to it. */
  readonly observes: readonly SecurityObservation['kind'][];
  observe(observation: SecurityObservation): Promise<SecuritySignal[]>;
}

export const SECURITY_DETECTORS = Symbol('SECURITY_DETECTORS');
