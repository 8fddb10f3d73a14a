/**
 * Stops calling a failing dependency: a failure opens the circuit and callers skip the dependency
 * while it is open. Once `cooldownMs` has passed its owner may try again (`mayTry`), and closes
 * the circuit only when the trial, and any repair that must come before normal use, succeeded.
 */
export class CircuitBreaker {
  private openedAt?: number;

  constructor(
    private readonly cooldownMs: number,
    private readonly clock: { now(): Date } = { now: () => new Date() },
  ) {}

  get isOpen(): boolean {
    return this.openedAt !== undefined;
  }

  /** Closed, or open for at least the cooldown. */
  mayTry(): boolean {
    return this.openedAt === undefined || this.clock.now().getTime() - this.openedAt >= this.cooldownMs;
  }

  /** Opens the circuit, or restarts the cooldown of an open one. */
  failed(): void {
    this.openedAt = this.clock.now().getTime();
  }

  /** Returns true when this ended an outage. */
  close(): boolean {
    const wasOpen = this.isOpen;
    this.openedAt = undefined;
    return wasOpen;
  }
}
