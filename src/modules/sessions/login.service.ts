import { Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '../../common/problem.js';
import type { RequestMeta } from '../../common/request-meta.js';
import { SECURITY_EVENTS, type SecurityEventSink } from '../../common/security-events.js';
import { AppConfig } from '../../config/app-config.js';
import { FieldCipher } from '../encryption/field-cipher.js';
import type { UserEntity } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { SecuritySignals } from '../security-signals/security-signals.service.js';
import { CLOCK, type Clock } from './clock.js';
import { DeviceFingerprints, type DeviceTraits } from './device-fingerprint.js';
import { LoginFailureRepository } from './login-failure.repository.js';
import type { Session } from './session.js';
import { NewSession, SessionsService } from './sessions.service.js';

/** An IP is locked after this many times the per-account failure limit. */
const IP_FAILURE_FACTOR = 5;

/** One kind of password proof: its security event prefix, who is known to ask, what is accepted. */
interface Proof {
  action: 'auth.login' | 'auth.reauthentication';
  actorId?: string;
  accept?: (user: UserEntity) => boolean;
}

const WRONG: Record<Proof['action'], string> = {
  'auth.login': 'The email or password is wrong.',
  'auth.reauthentication': 'The password is wrong.',
};

/**
 * Password proofs with lockout: login, and re-authentication of an existing session. Failures of
 * both are counted per account (by email blind index, so unknown emails behave like known ones)
 * and per IP (by its blind index: no address is stored); reaching the limit locks for
 * LOGIN_LOCKOUT_SECONDS.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly failures: LoginFailureRepository,
    private readonly cipher: FieldCipher,
    private readonly fingerprints: DeviceFingerprints,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SECURITY_EVENTS) private readonly securityEvents: SecurityEventSink,
    private readonly signals: SecuritySignals,
  ) {}

  async login(
    email: string,
    password: string,
    request: RequestMeta,
    device: DeviceTraits,
    deviceName?: string,
  ): Promise<NewSession> {
    const user = await this.prove({ action: 'auth.login' }, email, password, request);
    const deviceFingerprint = this.fingerprints.of(device);
    const created = await this.sessions.create(user, {
      ip: request.ip,
      userAgent: request.userAgent ?? null,
      deviceFingerprint,
      deviceName,
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
    await this.signals.observe({
      kind: 'login',
      userId: user.id,
      sessionId: created.session.id,
      ip: request.ip,
      deviceFingerprint,
    });
    return created;
  }

  /** The session's user proves the password again; the session is then bound to this device. */
  async reauthenticate(
    session: Session,
    password: string,
    request: RequestMeta,
    device: DeviceTraits,
  ): Promise<Session> {
    const owner = await this.users.findById(session.userId);
    const email = typeof owner?.email === 'string' ? owner.email : '';
    const proof: Proof = {
      action: 'auth.reauthentication',
      actorId: session.userId,
      accept: (user) => user.id === session.userId,
    };
    await this.prove(proof, email, password, request);
    const rebound = await this.sessions.rebind(session, this.fingerprints.of(device));
    await this.securityEvents.record({
      action: 'auth.reauthentication.succeeded',
      severity: 'info',
      outcome: 'success',
      actorId: session.userId,
      resourceType: 'session',
      resourceId: session.id,
      request,
    });
    return rebound;
  }

  /** The active user with this email and password, or a 423 (locked) or 401 problem. */
  private async prove(proof: Proof, email: string, password: string, request: RequestMeta): Promise<UserEntity> {
    const { maxLoginFailures, lockoutSeconds } = this.config.sessions;
    const now = this.clock.now();
    const account = `account:${this.cipher.blindIndex(email)}`;
    const ip = `ip:${this.cipher.blindIndex(request.ip)}`;
    const lockedUntil = await this.failures.lockedUntil([account, ip], now);
    if (lockedUntil) {
      await this.event(proof, 'locked', 'warning', 'denied', request);
      throw new ProblemException(423, 'account-locked', 'Too many failed logins; try again later.', {
        retryAfterSeconds: Math.ceil((new Date(lockedUntil).getTime() - now.getTime()) / 1000),
      });
    }
    const user = await this.users.verifyCredentials(email, password);
    if (!user || (proof.accept && !proof.accept(user))) {
      await this.event(proof, 'failed', 'warning', 'failure', request);
      const accountLock = await this.failures.recordFailure(account, now, maxLoginFailures, lockoutSeconds);
      const ipLock = await this.failures.recordFailure(ip, now, maxLoginFailures * IP_FAILURE_FACTOR, lockoutSeconds);
      if (accountLock || ipLock) {
        const scope = accountLock ? 'account' : 'ip';
        await this.event(proof, 'lockout', 'critical', 'failure', request, { scope });
      }
      throw new ProblemException(401, 'invalid-credentials', WRONG[proof.action]);
    }
    await this.failures.clear(account);
    return user;
  }

  /** `<proof>.locked`, `<proof>.failed`; a lock reached by either is `auth.lockout`. */
  private event(
    proof: Proof,
    what: 'locked' | 'failed' | 'lockout',
    severity: 'warning' | 'critical',
    outcome: 'failure' | 'denied',
    request: RequestMeta,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const action = what === 'lockout' ? 'auth.lockout' : `${proof.action}.${what}`;
    return this.securityEvents.record({ action, severity, outcome, actorId: proof.actorId, request, details });
  }
}
