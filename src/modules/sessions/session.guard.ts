import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '../../common/auth/current-user.js';
import type { Session } from './session.js';
import { PUBLIC_KEY, type Role, ROLES_KEY } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import { requestMetaOf } from '../../common/request-meta.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { SessionsService } from './sessions.service.js';

/** The guard also leaves the session itself on the request, for GET /auth/session. */
export type SessionRequest = AuthenticatedRequest & { session?: Session };

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,128})$/;

/**
 * Global guard: every route needs a live session unless marked `@Public()`; `@Roles()` narrows
 * it further (admin passes every role check). 401 and 403 are problem documents and security events.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<SessionRequest>();
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const session = token ? await this.sessions.authenticate(token) : undefined;
    if (!session) {
      await this.securityEvents.record({
        action: 'auth.unauthenticated',
        severity: 'warning',
        outcome: 'denied',
        request: requestMetaOf(request),
        details: { reason: token ? 'invalid-or-expired-session' : 'missing-bearer-token' },
      });
      throw new ProblemException(401, 'unauthenticated', 'A valid session token is required.');
    }
    const user = { id: session.userId, role: session.role, sessionId: session.id };
    request.user = user;
    request.session = session;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles?.length && user.role !== 'admin' && !roles.includes(user.role)) {
      await this.securityEvents.record({
        action: 'auth.forbidden',
        severity: 'warning',
        outcome: 'denied',
        actorId: user.id,
        request: requestMetaOf(request),
        details: { role: user.role, required: roles },
      });
      throw new ProblemException(403, 'forbidden', 'Your role may not call this route.');
    }
    return true;
  }
}
