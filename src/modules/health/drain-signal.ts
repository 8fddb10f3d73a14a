import { Injectable } from '@nestjs/common';

/** Set once SIGTERM arrives, so readiness turns 503 before the server stops accepting requests. */
@Injectable()
export class DrainSignal {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  begin(): void {
    this.draining = true;
  }
}
