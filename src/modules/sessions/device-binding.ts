import { createParamDecorator, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../../common/problem.js';
import { type RequestMeta, requestMetaOf } from '../../common/request-meta.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { AppConfig } from '../../config/app-config.js';
import { DeviceFingerprints, type DeviceTraits, deviceTraitsOf } from './device-fingerprint.js';
import type { Session } from './session.js';
import { SESSION_STORE, type SessionStore } from './stores/session-store.js';

/** What a request brings to the session check besides its token. */
export interface SessionCheck {
  device: DeviceTraits;
  request: RequestMeta;
  /** The route proves the password again: a session waiting for that (step-up) may call it. */
  reauthenticating: boolean;
}

const REAUTHENTICATION_ROUTE = 'sessions:reauthentication-route';

/** Marks the one route a session pending re-authentication may call. */
export const ReauthenticationRoute = () => SetMetadata(REAUTHENTICATION_ROUTE, true);

/** Controller parameter: the device traits of this request. */
export const CurrentDevice = createParamDecorator((_: unknown, context: ExecutionContext): DeviceTraits =>
  deviceTraitsOf(context.switchToHttp().getRequest<FastifyRequest>().headers),
);

export function sessionCheckOf(context: ExecutionContext): SessionCheck {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return {
    device: deviceTraitsOf(request.headers),
    request: requestMetaOf(request),
    reauthenticating: Reflect.getMetadata(REAUTHENTICATION_ROUTE, context.getHandler()) === true,
  };
}

/**
 * Every request must come from the device its session is bound to. A mismatch is a security
 * event and, by SESSION_FINGERPRINT_MISMATCH, either ends the session (`reject`) or holds it until
 * the password is proven again (`step-up`); it is never let through as it is.
 */
@Injectable()
export class DeviceBinding {
  constructor(
    private readonly fingerprints: DeviceFingerprints,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly config: AppConfig,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
  ) {}

  /** Returns when the request may use the session; otherwise throws a 401 problem. */
  async verify(session: Session, check: SessionCheck, now: Date): Promise<void> {
    if (!this.fingerprints.matches(session.deviceFingerprint, check.device)) await this.mismatch(session, check, now);
    if (session.reauthRequiredAt && !check.reauthenticating) {
      await this.event(session, check, 'auth.unauthenticated', { reason: 'reauthentication-required' });
      throw new ProblemException(
        401,
        'reauthentication-required',
        'This session must prove its password again: POST /auth/reauthenticate.',
      );
    }
  }

  private async mismatch(session: Session, check: SessionCheck, now: Date): Promise<void> {
    const mode = this.config.sessions.fingerprintMismatch;
    await this.event(session, check, 'auth.session.device-mismatch', { mode });
    if (mode === 'reject') {
      await this.store.revoke([session], now);
      throw new ProblemException(
        401,
        'session-device-mismatch',
        'The session was used from another device and has been ended; log in again.',
      );
    }
    if (!session.reauthRequiredAt) {
      await this.store.requireReauthentication(session, now);
      session.reauthRequiredAt = now;
    }
  }

  private event(session: Session, check: SessionCheck, action: string, details: Record<string, unknown>) {
    return this.securityEvents.record({
      action,
      severity: 'warning',
      outcome: 'denied',
      actorId: session.userId,
      resourceType: 'session',
      resourceId: session.id,
      request: check.request,
      details,
    });
  }
}
