import { Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/problem.js';
import type { RequestMeta } from '../../common/request-meta.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { AppConfig } from '../../config/app-config.js';
import { FieldCipher } from '../encryption/field-cipher.js';
import { UsersService } from '../users/users.service.js';
import { CLOCK, type Clock } from './clock.js';
import { LoginFailureRepository } from './login-failure.repository.js';
import { NewSession, SessionsService } from './sessions.service.js';
import { deviceFingerprint } from './session-token.js';

/** An IP is locked after this many times the per-account failure limit. */
const IP_FAILURE_FACTOR = 5;

/**
 * Password login with lockout. Failures are counted per account (by email blind index, so unknown
 * emails behave like known ones) and per IP; reaching the limit locks for LOGIN_LOCKOUT_SECONDS.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly failures: LoginFailureRepository,
    private readonly cipher: FieldCipher,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
  ) {}

  async login(email: string, password: string, request: RequestMeta, acceptLanguage?: string): Promise<NewSession> {
    const { maxLoginFailures, lockoutSeconds } = this.config.sessions;
    const now = this.clock.now();
    const account = `account:${this.cipher.blindIndex(email)}`;
    const ip = `ip:${request.ip}`;
    const lockedUntil = await this.failures.lockedUntil([account, ip], now);
    if (lockedUntil) {
      await this.event('auth.login.locked', 'warning', 'denied', request);
      throw new ProblemException(423, 'account-locked', 'Too many failed logins; try again later.', {
        retryAfterSeconds: Math.ceil((new Date(lockedUntil).getTime() - now.getTime()) / 1000),
      });
    }
    const user = await this.users.verifyCredentials(email, password);
    if (!user) {
      await this.event('auth.login.failed', 'warning', 'failure', request);
      const accountLock = await this.failures.recordFailure(account, now, maxLoginFailures, lockoutSeconds);
      const ipLock = await this.failures.recordFailure(ip, now, maxLoginFailures * IP_FAILURE_FACTOR, lockoutSeconds);
      if (accountLock || ipLock) {
        await this.event('auth.lockout', 'critical', 'failure', request, { scope: accountLock ? 'account' : 'ip' });
      }
      throw new ProblemException(401, 'invalid-credentials', 'The email or password is wrong.');
    }
    await this.failures.clear(account);
    const created = await this.sessions.create(user, {
      ip: request.ip,
      userAgent: request.userAgent ?? null,
      deviceFingerprint: deviceFingerprint(request.userAgent, acceptLanguage),
    });
    await this.securityEvents.record({
      action: 'auth.login.succeeded',
      severity: 'info',
      outcome: 'success',
      actorId: user.id,
      resourceType: 'session',
      resourceId: created.session.id,
      request,
    });
    return created;
  }

  private event(
    action: string,
    severity: 'warning' | 'critical',
    outcome: 'failure' | 'denied',
    request: RequestMeta,
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.securityEvents.record({ action, severity, outcome, request, details });
  }
}
