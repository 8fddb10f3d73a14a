import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '../../common/auth/current-user.js';
import type { Session } from './session.js';
import { type AuthenticatedUser, PUBLIC_KEY, type Role, ROLES_KEY, SESSION_ONLY_KEY } from '../../common/auth/roles.js';
import { ProblemException } from '../../common/problem.js';
import { requestMetaOf } from '../../common/request-meta.js';
import type { RouteFacts, RouteScoped } from '../../common/route-pipeline.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { ApiKeyAuthenticator } from '../api-keys/api-key-authenticator.js';
import { SecuritySignals } from '../security-signals/security-signals.service.js';
import type { ApiKeyRequest } from '../api-keys/current-api-key.js';
import { sessionCheckOf } from './device-binding.js';
import { SessionsService } from './sessions.service.js';

/** The guard also leaves the session (or the API key) itself on the request, for GET /auth/session. */
export type SessionRequest = AuthenticatedRequest & ApiKeyRequest & { session?: Session };

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,128})$/;
const UNAUTHENTICATED = 'A valid session token or API key is required.';

/** A route's access rules, read once per handler instead of on every request. */
interface AccessRules {
  isPublic: boolean;
  sessionOnly: boolean;
  roles: Role[];
}

/**
 * Global guard: every route needs a live session or API key unless marked `@Public()`; `@Roles()`
 * narrows it further (admin passes every role check), `@SessionOnly()` refuses keys. Both kinds of
 * caller become the same `AuthenticatedUser`. 401 and 403 are problem documents and security events.
 */
@Injectable()
export class SessionGuard implements CanActivate, RouteScoped {
  /** By controller, then handler: an inherited handler may serve controllers with different rules. */
  private readonly rules = new WeakMap<object, WeakMap<object, AccessRules>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeyAuthenticator,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
    private readonly signals: SecuritySignals,
  ) {}

  /** Public routes (probes, metrics, docs, login) never reach it. */
  appliesTo(route: RouteFacts): boolean {
    return !route.isPublic;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rules = this.rulesOf(context);
    if (rules.isPublic) return true;
    const request = context.switchToHttp().getRequest<SessionRequest>();
    const user = this.apiKeys.presents(request)
      ? await this.keyUser(request)
      : await this.sessionUser(request, context);
    request.user = user;
    if (user.kind === 'api-key' && rules.sessionOnly) {
      await this.forbid(request, user, { required: 'session' }, 'This route is about sessions; an API key has none.');
    }
    const { roles } = rules;
    if (roles.length && user.role !== 'admin' && !roles.includes(user.role)) {
      await this.forbid(request, user, { required: roles }, 'Your role may not call this route.');
    }
    return true;
  }

  private rulesOf(context: ExecutionContext): AccessRules {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.rules.get(controller);
    if (!byHandler) this.rules.set(controller, (byHandler = new WeakMap()));
    let rules = byHandler.get(handler);
    if (!rules) {
      const targets = [handler, controller];
      rules = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
        sessionOnly: this.reflector.getAllAndOverride<boolean>(SESSION_ONLY_KEY, targets) === true,
        roles: this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [],
      };
      byHandler.set(handler, rules);
    }
    return rules;
  }

  private async sessionUser(request: SessionRequest, context: ExecutionContext): Promise<AuthenticatedUser> {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const session = token ? await this.sessions.authenticate(token, sessionCheckOf(context)) : undefined;
    if (!session) {
      await this.securityEvents.record({
        action: 'auth.unauthenticated',
        severity: 'warning',
        outcome: 'denied',
        request: requestMetaOf(request),
        details: { reason: token ? 'invalid-or-expired-session' : 'missing-bearer-token' },
      });
      throw new ProblemException(401, 'unauthenticated', UNAUTHENTICATED);
    }
    request.session = session;
    await this.signals.observe({ kind: 'session-used', sessionId: session.id, userId: session.userId, ip: request.ip });
    return { kind: 'session', id: session.userId, role: session.role, sessionId: session.id };
  }

  /** Unknown, wrong, revoked, expired and out-of-network keys all get the same 401; only the event says which. */
  private async keyUser(request: SessionRequest): Promise<AuthenticatedUser> {
    const check = await this.apiKeys.authenticate(request);
    if (check?.ok) {
      request.apiKey = check.apiKey;
      return check.principal;
    }
    await this.securityEvents.record({
      action: 'auth.unauthenticated',
      severity: check?.severity ?? 'warning',
      outcome: 'denied',
      ...(check?.keyId ? { resourceType: 'api-key', resourceId: check.keyId } : {}),
      request: requestMetaOf(request),
      details: { credential: 'api-key', reason: check?.reason, lookupId: check?.lookupId },
    });
    throw new ProblemException(401, 'unauthenticated', UNAUTHENTICATED);
  }

  private async forbid(
    request: SessionRequest,
    user: AuthenticatedUser,
    details: Record<string, unknown>,
    detail: string,
  ): Promise<never> {
    await this.securityEvents.record({
      action: 'auth.forbidden',
      severity: 'warning',
      outcome: 'denied',
      actorId: user.id,
      request: requestMetaOf(request),
      details: { role: user.role, ...details, ...(user.kind === 'api-key' ? { credential: 'api-key' } : {}) },
    });
    throw new ProblemException(403, 'forbidden', detail);
  }
}
