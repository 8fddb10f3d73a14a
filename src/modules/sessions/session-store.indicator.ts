import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SESSION_STORE, type SessionStore } from './stores/session-store.js';

/** Reports which store answers session reads; `postgres-fallback` is degraded, never failing. */
@Injectable()
export class SessionStoreIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
  ) {}

  check(key = 'sessions') {
    const mode = this.store.mode;
    const session = this.indicators.check(key);
    return mode === 'postgres-fallback' ? session.degraded({ mode }) : session.up({ mode });
  }
}
