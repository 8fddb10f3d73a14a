import { Injectable } from '@nestjs/common';

/**
 * Shutdown in two steps: `begin` (SIGTERM) turns readiness 503 while everything else is still
 * served; `stopAccepting` (after the readiness delay, as the server closes) answers every request
 * that still arrives with 503 `/problems/draining`.
 */
@Injectable()
export class DrainSignal {
  private draining = false;
  private closing = false;

  get isDraining(): boolean {
    return this.draining;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  begin(): void {
    this.draining = true;
  }

  stopAccepting(): void {
    this.draining = true;
    this.closing = true;
  }
}
