import type { WindowCounter } from '../counters/window-counter.js';
import type { SecurityDetector, SecurityObservation, SecuritySignal } from '../security-signal.js';
import type { SignalSubjects } from '../signal-subjects.js';

/**
 * One actor (user or API key) reading SIGNAL_MASS_EXPORT_ROWS rows or more within
 * SIGNAL_MASS_EXPORT_WINDOW_SECONDS, audit exports and record list pages added together:
 * exfiltration by a stolen session or key, or an insider walking the data.
 */
export class MassExportDetector implements SecurityDetector {
  readonly name = 'mass-export';
  readonly observes = ['rows-read'] as const;

  constructor(
    private readonly counter: WindowCounter,
    private readonly subjects: SignalSubjects,
    private readonly settings: { rows: number; windowSeconds: number },
  ) {}

  async observe(observation: SecurityObservation): Promise<SecuritySignal[]> {
    if (observation.kind !== 'rows-read' || observation.rows <= 0) return [];
    const { rows: threshold, windowSeconds } = this.settings;
    const windowMs = windowSeconds * 1000;
    const { actorId, source } = observation;
    const rows = await this.counter.add(this.subjects.key(this.name, actorId), observation.rows, windowMs);
    if (rows < threshold) return [];
    if (!(await this.counter.claim(this.subjects.key(this.name, 'fired', actorId), windowMs))) return [];
    return [{ detector: this.name, severity: 'warning', actorId, details: { rows, threshold, windowSeconds, source } }];
  }
}
