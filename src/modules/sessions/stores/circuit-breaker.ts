import type { Clock } from '../clock.js';

/**
 * Stops calling a failing dependency: after one failure the circuit opens for `cooldownMs`; then
 * one trial call is let through (half-open) and its outcome closes or re-opens the circuit.
 */
export class CircuitBreaker {
  private openedAt?: number;
  private trialInFlight = false;
  /** When the current outage began (first failure), for replaying what was missed. */
  outageStartedAt?: Date;

  constructor(
    private readonly cooldownMs: number,
    private readonly clock: Clock,
  ) {}

  get isOpen(): boolean {
    return this.openedAt !== undefined;
  }

  /** Whether a call may be attempted now. */
  allows(): boolean {
    if (this.openedAt === undefined) return true;
    if (this.trialInFlight || this.clock.now().getTime() - this.openedAt < this.cooldownMs) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Returns true when this success ended an outage. */
  succeeded(): boolean {
    this.trialInFlight = false;
    if (this.openedAt === undefined) return false;
    this.openedAt = undefined;
    return true;
  }

  failed(): void {
    this.trialInFlight = false;
    const now = this.clock.now();
    this.outageStartedAt ??= now;
    this.openedAt = now.getTime();
  }

  /** Called once the outage's consequences have been repaired. */
  recovered(): void {
    this.outageStartedAt = undefined;
  }
}
